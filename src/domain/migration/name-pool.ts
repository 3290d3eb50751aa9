import { visit } from 'recast';
import type { AnyNode, NodePath } from './ast.js';

/** Names the translation adds, chosen so they never capture or shadow one of the code's own. */
export class NamePool {
  private readonly taken = new Set<string>();

  constructor(ast: AnyNode) {
    const taken = this.taken;
    visit(ast, {
      visitIdentifier(p: NodePath) {
        taken.add(p.node['name'] as string);
        return false;
      },
    } as Parameters<typeof visit>[1]);
  }

  fresh(base: string): string {
    let name = base;
    for (let i = 2; this.taken.has(name); i++) name = `${base}${i}`;
    this.taken.add(name);
    return name;
  }
}
