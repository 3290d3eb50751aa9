import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../errors.js';
import type { ClientRecord } from '../../ports.js';
import type { TokenSet } from '../token-issuer.js';
import type { AuthDeps, FlowContext } from './common.js';
import { newRecoveryCode } from './mfa-enroll.js';
import { mfaSession } from './mfa-session.js';

/**
 * The `mfa-oob` grant: the oob_code of an association or a challenge, with the code the user got
 * as `binding_code`. It must belong to the mfa_token's user and client. An association's code
 * confirms the enrollment; either way the login completes with the tokens of the original request.
 */
export async function mfaOobLogin(
  deps: AuthDeps,
  ctx: FlowContext,
  client: ClientRecord,
  input: { mfaToken: string | undefined; oobCode: string | undefined; bindingCode: string | undefined },
): Promise<TokenSet> {
  const { user, req } = await mfaSession(deps, ctx, input.mfaToken, client.clientId);
  if (!input.oobCode) throw new AppError('invalid_request', 'Missing required parameter: oob_code');
  if (!input.bindingCode) throw new AppError('invalid_request', 'Missing required parameter: binding_code');
  const otp = await deps.otp.get(ctx.tenant.id, input.oobCode);
  if (!otp || (otp.purpose !== 'mfa_enroll' && otp.purpose !== 'mfa_challenge')) throw new AppError('invalid_grant', 'Invalid oob_code.');
  if (otp.subject !== user.userId || otp.clientId !== client.clientId) throw new AppError('invalid_request', "The oob_code doesn't match the mfa_token");
  const enrollment = otp.enrollmentId ? await deps.enrollments.get(ctx.tenant.id, otp.enrollmentId) : undefined;
  if (!enrollment || enrollment.userId !== user.userId) throw new AppError('invalid_grant', 'Invalid oob_code.');
  const outcome = await deps.otp.verify(ctx.tenant.id, otp, input.bindingCode);
  if (outcome === 'expired') throw new AppError('expired_token', 'oob_code is expired');
  if (outcome === 'exhausted') throw new AppError('too_many_attempts', 'Too many failed attempts with this code; request a new one');
  if (outcome === 'consumed') throw new AppError('invalid_grant', 'Invalid oob_code.');
  if (outcome === 'wrong') throw new AppError('invalid_grant', 'Invalid binding_code.');
  const now = deps.clock.now().toISOString();
  if (otp.purpose === 'mfa_enroll') await deps.enrollments.confirm(ctx.tenant.id, enrollment.id, now);
  else await deps.enrollments.touch(ctx.tenant.id, enrollment.id, now);
  await deps.directory().recordLogin(ctx.tenant.id, user, ctx.ip);
  return deps.tokens.issue(ctx.tenant.id, ctx.host, client, user, req, 'mfa-oob');
}

/**
 * The `mfa-recovery-code` grant: the user's one recovery code (compared in constant time) logs in
 * once and is replaced by a new one, returned as `recovery_code`. The swap is conditional on the old
 * hash, so two concurrent uses of one code cannot both succeed.
 */
export async function mfaRecoveryLogin(
  deps: AuthDeps,
  ctx: FlowContext,
  client: ClientRecord,
  input: { mfaToken: string | undefined; recoveryCode: string | undefined },
): Promise<TokenSet & { recovery_code: string }> {
  const { user, enrollments, req } = await mfaSession(deps, ctx, input.mfaToken, client.clientId);
  if (!input.recoveryCode) throw new AppError('invalid_request', 'Missing required parameter: recovery_code');
  const stored = await deps.recoveryCodes.get(ctx.tenant.id, user.userId);
  const given = deps.recoveryHash(user.userId, input.recoveryCode.trim().toUpperCase());
  const expected = stored?.codeHash ?? createHmac('sha256', 'none').update(given).digest('hex');
  const match = timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(given, 'hex'));
  // A code whose enrollment was never confirmed protects nothing and opens nothing.
  if (!stored || !match || !enrollments.some((e) => e.status === 'confirmed')) throw new AppError('invalid_grant', 'Invalid recovery_code.');
  const next = newRecoveryCode();
  const now = deps.clock.now().toISOString();
  if (!(await deps.recoveryCodes.swap(ctx.tenant.id, user.userId, stored.codeHash, deps.recoveryHash(user.userId, next), now))) {
    throw new AppError('invalid_grant', 'Invalid recovery_code.');
  }
  await deps.directory().recordLogin(ctx.tenant.id, user, ctx.ip);
  const set = await deps.tokens.issue(ctx.tenant.id, ctx.host, client, user, req, 'mfa-recovery-code');
  return { ...set, recovery_code: next };
}
