import { visit } from 'recast';
import { expression, isMember, lineOf, shadowedInBlock, staticKey, statements, type AnyNode, type NodePath } from './ast.js';
import { MESSAGE_OPTIONS, OTP_TYPES, type EnumMapping } from './legacy-mapping.js';
import type { NamePool } from './name-pool.js';
import type { TranslationChange } from './translation.js';

/**
 * Rewrites the body of a send-phone-message handler to read the custom-phone-provider event.
 *
 * Two modes, chosen per handler, so that every rewrite is provably behaviour-preserving:
 * - **direct**: when every use of `event.message_options` is a read of a known key and neither the
 *   event nor `event.client` is handed anywhere as a whole, nothing can see or change the legacy
 *   object, so each read becomes the equivalent expression over `event.notification`; comparisons
 *   and `switch` cases against the legacy literals are rewritten to the new literals.
 * - **legacy view**: otherwise (destructuring, aliases, the event or `message_options` passed to a
 *   helper, writes, computed keys), a prologue builds the legacy event once from the new one
 *   (legacy-adapter.ts) and those uses read it, so the untouched code sees exactly what it saw.
 * In both modes `event.client.client_metadata` becomes `event.client.metadata`.
 */

export interface HandlerRewrite {
  /** The adapter functions the rewritten handler calls, if any. */
  adapter?: { options: string; event: string };
}

type Path = NodePath;

/** A read-only use: not assigned to, updated, deleted or destructured into. */
function isWriteTarget(p: Path): boolean {
  const parent = p.parent?.node;
  if (!parent) return false;
  if (parent.type === 'AssignmentExpression' || parent.type === 'AssignmentPattern') return p.name === 'left';
  if (parent.type === 'UpdateExpression') return true;
  if (parent.type === 'UnaryExpression') return parent['operator'] === 'delete';
  if (parent.type === 'ForInStatement' || parent.type === 'ForOfStatement') return p.name === 'left';
  return parent.type === 'ArrayPattern' || parent.type === 'RestElement' || (parent.type === 'ObjectProperty' && p.parent?.parent?.node.type === 'ObjectPattern' && p.name === 'value');
}

/** Whether `p` is the object of a member access with a static key (`p.key`, `p?.key`, `p['key']`). */
function memberKeyOf(p: Path): string | undefined {
  const parent = p.parent?.node;
  return parent && isMember(parent) && p.name === 'object' ? staticKey(parent) : undefined;
}

/** A reference to an identifier (not a declaration, property key or label). */
function isReference(p: Path): boolean {
  const parent = p.parent?.node;
  if (!parent) return false;
  if (isMember(parent)) return p.name === 'object' || !!parent['computed'];
  if (parent.type === 'ObjectProperty' || parent.type === 'ObjectMethod' || parent.type === 'ClassProperty' || parent.type === 'ClassMethod') {
    return p.name === 'value' || (p.name === 'key' && !!parent['computed']);
  }
  return !['LabeledStatement', 'BreakStatement', 'ContinueStatement'].includes(parent.type);
}

interface Uses {
  /** `event.message_options.K` reads, K known: the outer member's path. */
  optionReads: Array<{ path: Path; key: string }>;
  /** `event.message_options` used otherwise: its member path. */
  optionOthers: Path[];
  /** `event.client.client_metadata`: the member's path. */
  clientMetadata: Path[];
  /** `event.client` used as a whole: its member path. */
  clientOthers: Path[];
  /** `event` used as a whole (or with a computed key): the identifier's path. */
  eventOthers: Path[];
}

function collectUses(fnPath: Path, eventName: string): Uses {
  const uses: Uses = { optionReads: [], optionOthers: [], clientMetadata: [], clientOthers: [], eventOthers: [] };
  const fn = fnPath.node;
  // From the function's path (not its node), so that scope lookups see the parameters.
  visit(fnPath.get('body') as unknown as Parameters<typeof visit>[0], {
    visitIdentifier(this: { traverse(p: unknown): void }, p: Path) {
      // Only the handler's own parameter, not a helper's or a nested function's of the same name.
      if (p.node['name'] !== eventName || !isReference(p) || p.scope?.lookup(eventName)?.node !== fn || shadowedInBlock(p, eventName, fn)) return false;
      const key = memberKeyOf(p);
      const member = p.parent as Path;
      if (key === 'message_options') {
        const inner = memberKeyOf(member);
        const outer = member.parent as Path;
        if (inner !== undefined && Object.hasOwn(MESSAGE_OPTIONS, inner) && !isWriteTarget(outer)) uses.optionReads.push({ path: outer, key: inner });
        else uses.optionOthers.push(member);
      } else if (key === 'client') {
        const inner = memberKeyOf(member);
        if (inner === 'client_metadata') uses.clientMetadata.push(member.parent as Path);
        else if (inner === undefined || isWriteTarget(member)) uses.clientOthers.push(member);
      } else if (key === undefined) {
        uses.eventOthers.push(p);
      }
      return false;
    },
  } as Parameters<typeof visit>[1]);
  return uses;
}

/** The literal compared with, when `p` is one side of an (in)equality with a string literal. */
function comparedLiteral(p: Path): Path | undefined {
  const parent = p.parent?.node;
  if (parent?.type !== 'BinaryExpression' || !['===', '!==', '==', '!='].includes(parent['operator'])) return undefined;
  const other = p.name === 'left' ? 'right' : 'left';
  return parent[other].type === 'StringLiteral' ? (p.parent as Path).get(other) : undefined;
}

export function rewriteHandler(fnPath: Path, names: NamePool, changes: TranslationChange[]): HandlerRewrite {
  const fn = fnPath.node;
  const line = lineOf(fn);
  const params = fn['params'] as AnyNode[];
  // The event parameter: a plain name is kept; a pattern (`({ message_options }, api)`) is
  // destructured from the legacy view in the prologue instead.
  let first = params[0];
  if (first?.type === 'AssignmentPattern') first = first['left'] as AnyNode;
  const pattern = first && first.type !== 'Identifier' ? first : undefined;
  const eventName = first?.type === 'Identifier' ? (first['name'] as string) : names.fresh('event');
  params[0] = { type: 'Identifier', name: eventName };
  let second = params[1];
  if (second?.type === 'AssignmentPattern') second = second['left'] as AnyNode;
  const apiPattern = second && second.type !== 'Identifier' ? second : undefined;
  const apiName = second?.type === 'Identifier' ? (second['name'] as string) : names.fresh('api');
  params[1] = { type: 'Identifier', name: apiName };
  if (fn['body'].type !== 'BlockStatement') fn['body'] = { type: 'BlockStatement', body: [{ type: 'ReturnStatement', argument: fn['body'] }], directives: [] };

  const uses = collectUses(fnPath, eventName);
  const N = `${eventName}.notification`;
  const prologue: AnyNode[] = [];
  for (const p of uses.clientMetadata) {
    changes.push({ line: lineOf(p.node), description: 'client.client_metadata is client.metadata in the new event' });
    p.node['property'] = { type: 'Identifier', name: 'metadata' };
    p.node['computed'] = false;
  }

  const viewNeeded = !!pattern || uses.eventOthers.length + uses.optionOthers.length + uses.clientOthers.length > 0;
  let adapter: HandlerRewrite['adapter'];
  if (viewNeeded) {
    adapter = { options: names.fresh('legacyMessageOptions'), event: names.fresh('legacySendPhoneMessageEvent') };
    const view = names.fresh('legacyEvent');
    prologue.push(...statements(`const ${view} = ${adapter.event}(${eventName});`));
    if (pattern) prologue.push({ type: 'VariableDeclaration', kind: 'const', declarations: [{ type: 'VariableDeclarator', id: pattern, init: { type: 'Identifier', name: view } }] });
    changes.push({
      line,
      description: `the event is read through ${view}, the legacy event rebuilt from the new one (${adapter.event}), where the code destructures, aliases, hands on or changes it`,
    });
    for (const p of uses.eventOthers) {
      // `{ event }` keeps its key: the shorthand is spelled out as `event: legacyEvent`.
      if (p.parent?.node.type === 'ObjectProperty' && p.parent.node['shorthand']) p.parent.node['shorthand'] = false;
      p.replace({ type: 'Identifier', name: view });
    }
    for (const p of [...uses.optionOthers, ...uses.optionReads.map((r) => r.path.get('object')), ...uses.clientOthers]) {
      changes.push({ line: lineOf(p.node), description: `${staticKey(p.node)} is read from the legacy view` });
      p.get('object').replace({ type: 'Identifier', name: view });
    }
  } else {
    for (const { path, key } of uses.optionReads) rewriteRead(path, key, N, changes);
  }
  if (apiPattern) prologue.push({ type: 'VariableDeclaration', kind: 'const', declarations: [{ type: 'VariableDeclarator', id: apiPattern, init: { type: 'Identifier', name: apiName } }] });

  const guard = statements(
    `// send-phone-message only ever handled one-time codes; the notices custom-phone-provider also
// delivers (${['change_password', 'blocked_account', 'password_breach'].join(', ')}) are dropped, as before the
// migration, rather than sent by code not written for them. Remove this to send them too.
if (!${JSON.stringify(OTP_TYPES)}.includes(${N}.message_type)) {
  ${apiName}.notification.drop('not handled by the code translated from send-phone-message: ' + ${N}.message_type);
  return;
}`,
  );
  changes.push({ line, description: 'onExecuteSendPhoneMessage is now onExecuteCustomPhoneProvider' });
  changes.push({ line, description: 'notifications other than otp_enroll and otp_verify are dropped with api.notification.drop (send-phone-message never received them)' });
  fn['body']['body'].unshift(...guard, ...prologue);
  return adapter ? { adapter } : {};
}

/** One direct rewrite of `event.message_options.<key>` (the handler's code sees no legacy object). */
function rewriteRead(path: Path, key: string, N: string, changes: TranslationChange[]): void {
  const m = MESSAGE_OPTIONS[key]!;
  const line = lineOf(path.node);
  const legacy = `message_options.${key}`;
  if (m.kind === 'enum') {
    const literal = comparedLiteral(path);
    const mapped = literal ? m.values[literal.node['value'] as string] : undefined;
    if (literal && mapped !== undefined) {
      changes.push({ line, description: `${legacy} === '${literal.node['value']}' is notification.${m.key} === '${mapped}'` });
      literal.replace({ type: 'StringLiteral', value: mapped });
      path.replace(expression(`${N}.${m.key}`));
      return;
    }
    if (rewriteSwitch(path, m, N)) {
      changes.push({ line, description: `switch on ${legacy} is a switch on notification.${m.key}, its cases renamed` });
      return;
    }
  }
  changes.push({ line, description: `${legacy} is read as ${m.expression.replace(/\bN\./g, 'notification.')}` });
  path.replace(expression(m.expression.replace(/\bN\./g, `${N}.`)));
}

/** `switch (legacy) { case 'sms': … }` whose cases are all legacy literals: the cases get the new values. */
function rewriteSwitch(path: Path, m: EnumMapping, N: string): boolean {
  const parent = path.parent?.node;
  if (parent?.type !== 'SwitchStatement' || path.name !== 'discriminant') return false;
  const tests = (parent['cases'] as AnyNode[]).map((c) => c['test'] as AnyNode | null).filter((t): t is AnyNode => t !== null);
  if (!tests.every((t) => t.type === 'StringLiteral' && Object.hasOwn(m.values, t['value']))) return false;
  for (const t of tests) t['value'] = m.values[t['value']];
  for (const t of tests) delete t['extra'];
  path.replace(expression(`${N}.${m.key}`));
  return true;
}
