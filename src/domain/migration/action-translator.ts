import { print, visit } from 'recast';
import { TRIGGERS, CUSTOM_PHONE_PROVIDER, SEND_PHONE_MESSAGE } from '../actions/triggers.js';
import { AppError } from '../errors.js';
import { parseAction, type AnyNode, type NodePath } from './ast.js';
import { rewriteHandler } from './handler-rewriter.js';
import { findExports, renameExport } from './handler-locator.js';
import { adapterSource } from './legacy-adapter.js';
import { scanModule } from './module-scan.js';
import { NamePool } from './name-pool.js';
import type { Translation, TranslationChange, TranslationWarning } from './translation.js';

/**
 * Translates a send-phone-message Action into the code of a new custom-phone-provider Action
 * (docs/migration.md, "Translating send-phone-message Actions"). Pure: the original Action is not
 * touched, and secret values are never seen (only the names the code reads are reported).
 */

const FROM = TRIGGERS[SEND_PHONE_MESSAGE].handler;
const TO = TRIGGERS[CUSTOM_PHONE_PROVIDER].handler;

/** The ast-types path of `node` (scopes need the path from the root). */
function pathOf(ast: AnyNode, node: AnyNode): NodePath {
  let found: NodePath | undefined;
  visit(ast, {
    visitNode(this: { traverse(p: unknown): void; abort(): void }, p: NodePath) {
      if (p.node === node) {
        found = p;
        return false;
      }
      this.traverse(p);
      return undefined;
    },
  } as Parameters<typeof visit>[1]);
  if (!found) throw new Error('handler node not in its own tree');
  return found;
}

export function translateSendPhoneMessage(code: string): Translation {
  const ast = parseAction(code);
  const exported = findExports(ast['program']);
  const handler = exported.find((e) => e.name === FROM);
  if (!handler) throw new AppError('send_phone_message_handler_not_found');
  if (!handler.fn) throw new AppError('send_phone_message_handler_not_found', `exports.${FROM} is not a function this translator can follow (give it inline or as a top-level function)`);
  if (exported.some((e) => e.name === TO)) throw new AppError('send_phone_message_handler_not_found', `The code already exports ${TO}`);

  const scan = scanModule(ast);
  const warnings: TranslationWarning[] = [...scan.warnings];
  const changes: TranslationChange[] = [];
  for (const other of exported.filter((e) => e.name.startsWith('onExecute') && e.name !== FROM)) {
    warnings.push({
      line: other.line,
      code: 'other_triggers',
      message: `the code also exports ${other.name}: keep the original Action for that trigger; the new Action runs only ${TO}`,
    });
  }

  const names = new NamePool(ast);
  const rewrite = rewriteHandler(pathOf(ast, handler.fn), names, changes);
  renameExport(handler.holder, TO);
  warnings.push({
    line: handler.line,
    code: 'non_otp_notifications',
    message: 'change_password, blocked_account and password_breach notifications are dropped by the generated guard; edit it to send them',
  });

  let out = print(ast, { quote: 'single', wrapColumn: 120 }).code;
  if (rewrite.adapter) out = `${out.replace(/\n*$/, '\n')}${adapterSource(rewrite.adapter)}`;
  const byLine = <T extends { line: number }>(a: T, b: T) => a.line - b.line;
  return { code: out, changes: changes.sort(byLine), warnings: warnings.sort(byLine), secrets: scan.secrets };
}
