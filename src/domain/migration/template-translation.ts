/**
 * The legacy message templates as Unified Phone Experience templates, so that a migrated tenant's
 * users read the text they read before:
 *
 * - Guardian's enrollment and verification messages are Liquid already, with other variables:
 *   `tenant.friendly_name` / `tenant.friendlyName` / `tenant.name` become the UPE `friendly_name` and
 *   `tenant`; `message_type` (`sms` | `voice`) is assigned at the top of each body (the UPE template
 *   has one body per delivery method); `pause`, which legacy rendering left empty, is dropped.
 * - The passwordless connection's template is `md_with_macros` (`@@password@@`, the rest literal:
 *   kept literal with `{% raw %}` where it holds Liquid delimiters) or Liquid (`password` and
 *   `request_language` assigned from the UPE `code` and `locale`).
 * - Passwordless and MFA verification share the UPE type `otp_verify`: when both had their own text,
 *   the body picks by the UPE `connection` variable (the passwordless connection is always `sms`).
 */

export type LegacySyntax = 'md_with_macros' | 'liquid';

const TAG = /(\{\{-?|\{%-?)([\s\S]*?)(-?\}\}|-?%\})/g;
const PAUSE_OUTPUT = /\{\{-?\s*pause\s*-?\}\}/g;

/** Renames the legacy tenant variables inside Liquid tags (text outside tags is left alone). */
function renameTenantVariables(body: string): string {
  return body.replace(TAG, (_m, open: string, inner: string, close: string) => {
    const renamed = inner.replace(/\btenant\.(?:friendly_name|friendlyName)\b/g, 'friendly_name').replace(/\btenant\.name\b/g, 'tenant');
    return `${open}${renamed}${close}`;
  });
}

/** A Guardian message (enrollment or verification) as the body of one UPE delivery method. */
export function guardianBody(message: string, method: 'text' | 'voice'): string {
  const body = renameTenantVariables(message.replace(PAUSE_OUTPUT, ''));
  return /\bmessage_type\b/.test(body) ? `{% assign message_type = "${method === 'voice' ? 'voice' : 'sms'}" %}${body}` : body;
}

/** Literal text kept literal in Liquid. */
function literal(s: string): string {
  return /\{\{|\{%/.test(s) ? `{% raw %}${s}{% endraw %}` : s;
}

/** The passwordless connection's template as a UPE text body. */
export function passwordlessBody(template: string, syntax: LegacySyntax): string {
  if (syntax === 'liquid') {
    const assigns = [/\bpassword\b/.test(template) ? '{% assign password = code %}' : '', /\brequest_language\b/.test(template) ? '{% assign request_language = locale %}' : ''];
    return `${assigns.join('')}${template}`;
  }
  return template
    .split('@@password@@')
    .map(literal)
    .join('{{ code }}');
}

/** One `otp_verify` body for both flows: passwordless (connection `sms`) and MFA. */
export function sharedVerifyBody(passwordless: string, mfa: string): string {
  return `{% if connection == "sms" %}${passwordless}{% else %}${mfa}{% endif %}`;
}
