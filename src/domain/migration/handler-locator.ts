import { isMember, propertyKey, staticKey, type AnyNode } from './ast.js';

/**
 * Finds how a module exports its trigger handlers. Actions export them as `exports.name = fn`,
 * `module.exports.name = fn`, `exports['name'] = fn`, or `module.exports = { name: fn, name, name() {} }`,
 * the function given inline or by the name of a top-level declaration.
 */

export interface HandlerExport {
  name: string;
  /** The node holding the exported name (a member expression or an object property): renamed in place. */
  holder: AnyNode;
  /** The handler function, when it could be resolved. */
  fn: AnyNode | undefined;
  line: number;
}

const isFunction = (n: AnyNode | undefined): boolean =>
  n?.type === 'FunctionExpression' || n?.type === 'ArrowFunctionExpression' || n?.type === 'FunctionDeclaration' || n?.type === 'ObjectMethod';

const isExportsObject = (n: AnyNode): boolean =>
  (n.type === 'Identifier' && n['name'] === 'exports') ||
  (isMember(n) && n['object'].type === 'Identifier' && n['object']['name'] === 'module' && staticKey(n) === 'exports');

/** Top-level functions by name: `function f() {}` and `const f = () => {}` / `function () {}`. */
function topLevelFunctions(program: AnyNode): Map<string, AnyNode> {
  const out = new Map<string, AnyNode>();
  for (const s of program['body'] as AnyNode[]) {
    if (s.type === 'FunctionDeclaration' && s['id']) out.set(s['id']['name'], s);
    if (s.type === 'VariableDeclaration') {
      for (const d of s['declarations'] as AnyNode[]) if (d['id'].type === 'Identifier' && isFunction(d['init'])) out.set(d['id']['name'], d['init']);
    }
  }
  return out;
}

export function findExports(program: AnyNode): HandlerExport[] {
  const fns = topLevelFunctions(program);
  const resolve = (v: AnyNode | undefined): AnyNode | undefined => (isFunction(v) ? v : v?.type === 'Identifier' ? fns.get(v['name']) : undefined);
  const out: HandlerExport[] = [];
  for (const s of program['body'] as AnyNode[]) {
    if (s.type !== 'ExpressionStatement' || s['expression'].type !== 'AssignmentExpression' || s['expression']['operator'] !== '=') continue;
    const { left, right } = s['expression'] as { left: AnyNode; right: AnyNode };
    if (isMember(left) && isExportsObject(left['object'])) {
      const name = staticKey(left);
      if (name) out.push({ name, holder: left, fn: resolve(right), line: s.loc?.start.line ?? 0 });
    } else if (isExportsObject(left) && right.type === 'ObjectExpression') {
      for (const p of right['properties'] as AnyNode[]) {
        const name = propertyKey(p);
        if (!name) continue;
        out.push({ name, holder: p, fn: p.type === 'ObjectMethod' ? p : resolve(p['value']), line: p.loc?.start.line ?? 0 });
      }
    }
  }
  return out;
}

/** Gives the exported handler its new name, keeping the local function name where there is one. */
export function renameExport(holder: AnyNode, to: string): void {
  if (isMember(holder)) {
    holder['property'] = { type: 'Identifier', name: to };
    holder['computed'] = false;
    return;
  }
  // An object property or method; a shorthand `{ name }` keeps its local name as the value.
  holder['key'] = { type: 'Identifier', name: to };
  holder['computed'] = false;
  if (holder['shorthand']) holder['shorthand'] = false;
}
