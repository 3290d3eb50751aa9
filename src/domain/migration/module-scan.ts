import { visit } from 'recast';
import { isMember, lineOf, propertyKey, staticKey, type AnyNode, type NodePath } from './ast.js';
import type { TranslationWarning } from './translation.js';

/**
 * What the translator reports without rewriting: the secrets the code reads, the modules it
 * requires that the sandbox refuses, and the event fields the new trigger no longer has. Scanned
 * over the whole module, helpers included, since helpers often receive the event.
 */

/**
 * The modules the sandbox's `require` answers (MODULES in adapters/actions/sandbox/isolate/runtime.js;
 * the translator's tests run each of them in the sandbox, so the two lists cannot drift apart).
 */
export const SANDBOX_MODULES: readonly string[] = ['undici', 'crypto', 'node:crypto'];

export interface ModuleReport {
  secrets: string[];
  warnings: TranslationWarning[];
}

function literalString(n: AnyNode | undefined): string | undefined {
  if (n?.type === 'StringLiteral') return n['value'] as string;
  if (n?.type === 'TemplateLiteral' && n['expressions'].length === 0) return n['quasis'][0].value.cooked as string;
  return undefined;
}

/** `<x>.secrets` (any object: helpers name the event as they like). */
const isSecretsMember = (n: AnyNode | undefined): boolean => !!n && isMember(n) && staticKey(n) === 'secrets';

/** The static keys of an object pattern (`{ A, B: b, ['C']: c }`). */
function patternKeys(pattern: AnyNode): string[] {
  return (pattern['properties'] as AnyNode[]).map(propertyKey).filter((k): k is string => k !== undefined);
}

export function scanModule(ast: AnyNode): ModuleReport {
  const secrets = new Set<string>();
  const warnings: TranslationWarning[] = [];
  /** Local names bound to `<x>.secrets` (`const s = event.secrets`). */
  const secretAliases = new Set<string>();
  const warn = (node: AnyNode, code: string, message: string) => warnings.push({ line: lineOf(node), code, message });

  visit(ast, {
    visitNode(this: { traverse(p: unknown): void }, path: NodePath) {
      const n = path.node;
      if (n.type === 'CallExpression' && n['callee'].type === 'Identifier' && n['callee']['name'] === 'require') {
        const name = literalString(n['arguments'][0]);
        if (name === undefined) warn(n, 'dynamic_require', 'require() of a computed module name: the sandbox loads only ' + SANDBOX_MODULES.join(', '));
        else if (!SANDBOX_MODULES.includes(name)) {
          warn(n, 'module_unavailable', `require('${name}'): the sandbox cannot load this module (only ${SANDBOX_MODULES.join(', ')}); the translated action fails where it is required until the code stops using it`);
        }
      }
      if (isMember(n)) {
        const key = staticKey(n);
        const obj = n['object'] as AnyNode;
        if (isSecretsMember(obj) || (obj.type === 'Identifier' && (obj['name'] === 'secrets' || secretAliases.has(obj['name'])))) {
          if (key !== undefined) secrets.add(key);
          else warn(n, 'dynamic_secret', 'a secret read by a computed name: list the secrets it may read by hand');
        }
        if (key === 'identities' && ((isMember(obj) && staticKey(obj) === 'user') || (obj.type === 'Identifier' && obj['name'] === 'user'))) {
          warn(n, 'user_identities', 'user.identities is not part of the custom-phone-provider event (the migration table removes it)');
        }
      }
      if (n.type === 'VariableDeclarator' && isSecretsMember(n['init'])) {
        if (n['id'].type === 'ObjectPattern') patternKeys(n['id']).forEach((k) => secrets.add(k));
        if (n['id'].type === 'Identifier') secretAliases.add(n['id']['name']);
      }
      if (n.type === 'ObjectPattern') {
        for (const p of n['properties'] as AnyNode[]) {
          const key = propertyKey(p);
          if (key === 'secrets' && p['value']?.type === 'ObjectPattern') patternKeys(p['value']).forEach((k) => secrets.add(k));
          if (key === 'identities') warn(p, 'user_identities', 'user.identities is not part of the custom-phone-provider event (the migration table removes it)');
        }
      }
      this.traverse(path);
    },
  } as Parameters<typeof visit>[1]);
  return { secrets: [...secrets].sort(), warnings };
}
