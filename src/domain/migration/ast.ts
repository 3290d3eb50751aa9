import { parse as babelParse, parseExpression } from '@babel/parser';
import { parse as recastParse } from 'recast';
import { AppError } from '../errors.js';

/**
 * The syntax tree helpers of the Action translator. Actions are CommonJS scripts (the sandbox runs
 * them as such), parsed by @babel/parser through recast so that printing keeps every comment and the
 * layout of the code that is not rewritten.
 */

/** A node of the babel tree, loosely typed: the translator reads only a few fields of a few kinds. */
export type AnyNode = { type: string; loc?: { start: { line: number } } | null; [key: string]: any };

/** The ast-types path of a node: its parent chain and scope, and replacement in place. */
export interface NodePath {
  node: AnyNode;
  /** The path of the parent node (arrays skipped). */
  parent: NodePath | null;
  /** The field (or array index) this node sits at in its parent. */
  name: string | number;
  parentPath: NodePath | null;
  scope: { lookup(name: string): { node: AnyNode } | null } | null;
  replace(node: AnyNode): unknown;
  get(...names: Array<string | number>): NodePath;
}

export function parseAction(code: string): AnyNode {
  try {
    return recastParse(code, {
      parser: { parse: (source: string) => babelParse(source, { sourceType: 'script', tokens: true, allowReturnOutsideFunction: false }) },
    }) as AnyNode;
  } catch (e) {
    const loc = (e as { loc?: { line: number; column: number } }).loc;
    const where = loc ? ` (line ${loc.line}, column ${loc.column + 1})` : '';
    throw new AppError('action_code_unparsable', `The action code does not parse${where}: ${(e as Error).message.replace(/\s*\(\d+:\d+\)$/, '')}`);
  }
}

export const lineOf = (n: AnyNode | null | undefined): number => n?.loc?.start.line ?? 0;

export const isMember = (n: AnyNode | null | undefined): boolean => n?.type === 'MemberExpression' || n?.type === 'OptionalMemberExpression';

/** The key of `a.b`, `a?.b`, `a['b']` (and a template without expressions); undefined when computed. */
export function staticKey(member: AnyNode): string | undefined {
  const p = member['property'] as AnyNode;
  if (!member['computed']) return p.type === 'Identifier' ? (p['name'] as string) : undefined;
  if (p.type === 'StringLiteral') return p['value'] as string;
  if (p.type === 'TemplateLiteral' && p['expressions'].length === 0) return p['quasis'][0].value.cooked as string;
  return undefined;
}

/** The key of an object pattern's or literal's property, when static. */
export function propertyKey(prop: AnyNode): string | undefined {
  const k = prop['key'] as AnyNode | undefined;
  if (!k) return undefined;
  if (!prop['computed'] && k.type === 'Identifier') return k['name'] as string;
  return k.type === 'StringLiteral' ? (k['value'] as string) : undefined;
}

function stripLocations(n: unknown): void {
  if (!n || typeof n !== 'object') return;
  if (Array.isArray(n)) return n.forEach(stripLocations);
  const o = n as Record<string, unknown>;
  for (const k of ['loc', 'start', 'end', 'range', 'extra']) delete o[k];
  // recast prints the comments it finds in `comments`; babel leaves them in leading/trailingComments.
  const lead = (o['leadingComments'] as AnyNode[] | undefined) ?? [];
  const trail = (o['trailingComments'] as AnyNode[] | undefined) ?? [];
  delete o['leadingComments'];
  delete o['trailingComments'];
  delete o['innerComments'];
  if (lead.length + trail.length > 0) {
    o['comments'] = [...lead.map((c) => ({ ...c, leading: true, trailing: false })), ...trail.map((c) => ({ ...c, leading: false, trailing: true }))];
    (o['comments'] as AnyNode[]).forEach(stripLocations);
  }
  for (const v of Object.values(o)) stripLocations(v);
}

/** A fresh expression node from source text, without locations, so the printer lays it out itself. */
export function expression(source: string): AnyNode {
  const e = parseExpression(source) as unknown as AnyNode;
  stripLocations(e);
  return e;
}

/** Fresh statements from source text (they may `return`: they are parsed as a function body). */
export function statements(source: string): AnyNode[] {
  const fn = babelParse(`function wrapper() {\n${source}\n}`, { sourceType: 'script', attachComment: true }).program.body[0] as unknown as AnyNode;
  const body = fn['body']['body'] as AnyNode[];
  stripLocations(body);
  return body;
}

/** Whether `pattern` (a declaration's id or a parameter) binds `name`. */
function binds(pattern: AnyNode | null | undefined, name: string): boolean {
  if (!pattern) return false;
  switch (pattern.type) {
    case 'Identifier':
      return pattern['name'] === name;
    case 'ObjectPattern':
      return (pattern['properties'] as AnyNode[]).some((p) => binds(p.type === 'RestElement' ? p['argument'] : p['value'], name));
    case 'ArrayPattern':
      return (pattern['elements'] as Array<AnyNode | null>).some((el) => binds(el, name));
    case 'AssignmentPattern':
      return binds(pattern['left'], name);
    case 'RestElement':
      return binds(pattern['argument'], name);
    default:
      return false;
  }
}

/** Whether a `let`, `const` or `class` directly in `block`'s statements (or a `for` head) declares `name`. */
function blockDeclares(block: AnyNode, name: string): boolean {
  const lexical = (d: AnyNode | null | undefined) =>
    (d?.type === 'VariableDeclaration' && d['kind'] !== 'var' && (d['declarations'] as AnyNode[]).some((x) => binds(x['id'], name))) ||
    (d?.type === 'ClassDeclaration' && d['id']?.['name'] === name);
  if (block.type === 'ForStatement') return lexical(block['init']);
  if (block.type === 'ForInStatement' || block.type === 'ForOfStatement') return lexical(block['left']);
  const body = block.type === 'SwitchStatement' ? (block['cases'] as AnyNode[]).flatMap((c) => c['consequent'] as AnyNode[]) : block.type === 'BlockStatement' ? (block['body'] as AnyNode[]) : [];
  return body.some(lexical);
}

/**
 * Whether `name` at `p` is a block-scoped binding between `p` and the function `fn`, which the scope
 * lookup of ast-types (function and catch scopes only) would take for `fn`'s parameter.
 */
export function shadowedInBlock(p: NodePath, name: string, fn: AnyNode): boolean {
  for (let q = p.parent; q && q.node !== fn; q = q.parent) {
    if (blockDeclares(q.node, name)) return true;
  }
  return false;
}
