import { createHmac } from 'node:crypto';
import { AppError } from '../../errors.js';
import { type AuthDeps, type FlowContext, maskPhone } from './common.js';
import { mfaApiCaller } from './mfa-session.js';

export interface AuthenticatorView {
  id: string;
  authenticator_type: 'oob' | 'recovery-code';
  active: boolean;
  oob_channel?: 'sms' | 'voice';
  name?: string;
  created_at?: string;
  last_auth?: string;
}

/** The recovery code's authenticator id: stable per user and code, derived so nothing more is stored. */
function recoveryId(codeHash: string): string {
  const digest = createHmac('sha256', 'recovery-code-id').update(codeHash).digest('base64url').replace(/[-_]/g, '');
  return `dev_${digest.slice(0, 16)}`;
}

/**
 * `GET /mfa/authenticators` (an mfa_token, or an MFA API token with `read:authenticators`): each
 * phone enrollment as two entries, `sms|dev_X` and `voice|dev_X` (one enrollment, two ways to reach
 * it), with the masked number; then the recovery code.
 */
export async function listAuthenticators(deps: AuthDeps, ctx: FlowContext, token: string | undefined): Promise<AuthenticatorView[]> {
  const { user, enrollments } = await mfaApiCaller(deps, ctx, token, 'read:authenticators', true);
  const out: AuthenticatorView[] = [];
  for (const e of enrollments) {
    for (const channel of ['sms', 'voice'] as const) {
      out.push({
        id: `${channel}|${e.id}`,
        authenticator_type: 'oob',
        active: e.status === 'confirmed',
        oob_channel: channel,
        name: maskPhone(e.phoneNumber),
        created_at: e.createdAt,
        ...(e.lastAuth ? { last_auth: e.lastAuth } : {}),
      });
    }
  }
  const rc = await deps.recoveryCodes.get(ctx.tenant.id, user.userId);
  if (rc) {
    out.push({
      id: `recovery-code|${recoveryId(rc.codeHash)}`,
      authenticator_type: 'recovery-code',
      active: enrollments.some((e) => e.status === 'confirmed'),
      created_at: rc.createdAt,
    });
  }
  return out;
}

/**
 * `DELETE /mfa/authenticators/{id}` (an MFA API token with `remove:authenticators` only, never an
 * mfa_token): removes a phone enrollment (both its entries) or the recovery code.
 */
export async function deleteAuthenticator(deps: AuthDeps, ctx: FlowContext, token: string | undefined, id: string): Promise<void> {
  const { user } = await mfaApiCaller(deps, ctx, token, 'remove:authenticators', false);
  const m = /^(sms|voice|recovery-code)\|(dev_[A-Za-z0-9]{1,64})$/.exec(id);
  if (!m) throw new AppError('invalid_request', 'Invalid authenticator id');
  if (m[1] === 'recovery-code') {
    const rc = await deps.recoveryCodes.get(ctx.tenant.id, user.userId);
    if (!rc || recoveryId(rc.codeHash) !== m[2]) throw new AppError('not_found', 'Authenticator not found');
    await deps.recoveryCodes.delete(ctx.tenant.id, user.userId);
    return;
  }
  if (!(await deps.enrollments.delete(ctx.tenant.id, user.userId, m[2]!))) throw new AppError('not_found', 'Authenticator not found');
}
