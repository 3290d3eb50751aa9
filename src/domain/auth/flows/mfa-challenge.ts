import { AppError } from '../../errors.js';
import type { ClientRecord } from '../../ports.js';
import { type AuthDeps, type FlowContext, notificationContext } from './common.js';
import { MFA_CODE, mfaSession } from './mfa-session.js';

export interface ChallengeInput {
  mfaToken: string | undefined;
  challengeType: string | undefined;
  authenticatorId: string | undefined;
  oobChannel: string | undefined;
}

const AUTHENTICATOR_ID = /^(sms|voice|recovery-code)\|(dev_[A-Za-z0-9]{1,64})$/;

/**
 * `POST /mfa/challenge` (the client already authenticated): sends an `otp_verify` code to the
 * user's confirmed phone by the channel the authenticator id or `oob_channel` names (the enrolled
 * channel by default). The `oob_code` returned goes with the code to the mfa-oob grant.
 */
export async function challenge(
  deps: AuthDeps,
  ctx: FlowContext,
  client: ClientRecord,
  input: ChallengeInput,
): Promise<{ challenge_type: 'oob'; oob_code: string; binding_method: 'prompt' }> {
  const { user, enrollments } = await mfaSession(deps, ctx, input.mfaToken, client.clientId);
  if (!input.challengeType) throw new AppError('invalid_request', 'Missing required parameter: challenge_type');
  const types = input.challengeType.split(/\s+/).filter(Boolean);
  if (!types.includes('oob')) throw new AppError('unsupported_challenge_type', 'The user has no authenticator of the requested challenge types');
  const confirmed = enrollments.filter((e) => e.status === 'confirmed');
  if (confirmed.length === 0) throw new AppError('association_required', 'User is not enrolled. Use /mfa/associate to enroll an authenticator');

  let enrollment = confirmed[0]!;
  let channel: string | undefined = input.oobChannel;
  if (input.authenticatorId !== undefined) {
    const m = AUTHENTICATOR_ID.exec(input.authenticatorId);
    if (!m) throw new AppError('invalid_request', 'Invalid authenticator_id');
    if (m[1] === 'recovery-code') throw new AppError('unsupported_challenge_type', 'A recovery code cannot be challenged; use the mfa-recovery-code grant');
    const chosen = confirmed.find((e) => e.id === m[2]);
    if (!chosen) throw new AppError('invalid_request', 'Invalid authenticator_id');
    if (channel !== undefined && channel !== m[1]) throw new AppError('invalid_request', 'oob_channel does not match authenticator_id');
    enrollment = chosen;
    channel = m[1];
  }
  channel ??= enrollment.preferredMethod;
  if (channel !== 'sms' && channel !== 'voice') throw new AppError('unsupported_challenge_type', `Unsupported oob_channel: ${channel}`);
  const g = await deps.guardian.get(ctx.tenant.id);
  if (!g?.factors['sms'] || !g.messageTypes.includes(channel)) {
    throw new AppError('unsupported_challenge_type', `The ${channel} message type is not enabled for this tenant`);
  }
  const otp = await deps.otp.send(ctx.tenant, {
    purpose: 'mfa_challenge',
    subject: user.userId,
    clientId: client.clientId,
    channel,
    enrollmentId: enrollment.id,
    recipient: enrollment.phoneNumber,
    ...MFA_CODE,
    type: 'otp_verify',
    source: 'mfa',
    context: notificationContext(ctx, client, user),
    legacy: !ctx.tenant.phoneConsolidatedExperience,
  });
  return { challenge_type: 'oob', oob_code: otp.id, binding_method: 'prompt' };
}
