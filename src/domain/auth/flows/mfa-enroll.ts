import { randomInt } from 'node:crypto';
import { AppError } from '../../errors.js';
import { randomBase62 } from '../../ids.js';
import { isE164 } from '../../phone-number.js';
import { type AuthDeps, type FlowContext, notificationContext } from './common.js';
import { MFA_CODE, mfaSession } from './mfa-session.js';

export interface AssociateInput {
  mfaToken: string | undefined;
  clientId: string | undefined;
  authenticatorTypes: unknown;
  oobChannels: unknown;
  phoneNumber: unknown;
}

export interface AssociateResult {
  authenticator_type: 'oob';
  binding_method: 'prompt';
  oob_channel: 'sms' | 'voice';
  oob_code: string;
  recovery_codes?: string[];
}

const RECOVERY_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A 24-character recovery code from a CSPRNG (no 0/O or 1/I to misread). */
export function newRecoveryCode(): string {
  let s = '';
  for (let i = 0; i < 24; i++) s += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)];
  return s;
}

/**
 * `POST /mfa/associate` with an mfa_token: enrolls a phone (sms or voice) while the user has no
 * confirmed authenticator. Sends an `otp_enroll` code by the chosen channel; the enrollment is
 * confirmed by the mfa-oob grant with that code as `binding_code`. The recovery code is made here,
 * shown once, and stored only as a keyed hash.
 */
export async function associate(deps: AuthDeps, ctx: FlowContext, input: AssociateInput): Promise<AssociateResult> {
  if (input.mfaToken && (await deps.tokens.readMfaApiToken(ctx.tenant.id, ctx.host, input.mfaToken))) {
    throw new AppError('access_denied', 'Enrolling with an MFA API access token is not supported yet: use the mfa_token of a login that answered mfa_required');
  }
  const { user, client, enrollments } = await mfaSession(deps, ctx, input.mfaToken, input.clientId);
  if (enrollments.some((e) => e.status === 'confirmed')) throw new AppError('access_denied', 'User is already enrolled');
  const types = input.authenticatorTypes;
  if (!Array.isArray(types) || types.length === 0) throw new AppError('invalid_request', 'Missing required parameter: authenticator_types');
  if (types.length !== 1 || types[0] !== 'oob') throw new AppError('unsupported_challenge_type', 'Only the oob authenticator type (sms or voice) can be enrolled');
  const channels = input.oobChannels;
  if (!Array.isArray(channels) || channels.length === 0) throw new AppError('invalid_request', 'Missing required parameter: oob_channels');
  if (channels.length !== 1 || (channels[0] !== 'sms' && channels[0] !== 'voice')) {
    throw new AppError('unsupported_challenge_type', 'oob_channels must be ["sms"] or ["voice"]');
  }
  const channel = channels[0] as 'sms' | 'voice';
  if (typeof input.phoneNumber !== 'string' || !input.phoneNumber) throw new AppError('invalid_request', 'Missing required parameter: phone_number');
  if (!isE164(input.phoneNumber)) throw new AppError('invalid_request', 'phone_number must be in E.164 format, e.g. +14155552671');
  const g = await deps.guardian.get(ctx.tenant.id);
  if (!g?.factors['sms']) throw new AppError('unsupported_challenge_type', 'The phone factor is not enabled for this tenant');
  if (!g.messageTypes.includes(channel)) throw new AppError('unsupported_challenge_type', `The ${channel} message type is not enabled for this tenant`);

  const now = deps.clock.now().toISOString();
  await deps.enrollments.deletePending(ctx.tenant.id, user.userId);
  const enrollmentId = `dev_${randomBase62(16)}`;
  await deps.enrollments.insert(ctx.tenant.id, {
    id: enrollmentId,
    userId: user.userId,
    type: 'phone',
    phoneNumber: input.phoneNumber,
    preferredMethod: channel,
    status: 'pending',
    createdAt: now,
    confirmedAt: null,
    lastAuth: null,
  });
  const otp = await deps.otp.send(ctx.tenant, {
    purpose: 'mfa_enroll',
    subject: user.userId,
    clientId: client.clientId,
    channel,
    enrollmentId,
    recipient: input.phoneNumber,
    ...MFA_CODE,
    type: 'otp_enroll',
    source: 'mfa',
    context: notificationContext(ctx, client, user),
    legacy: !ctx.tenant.phoneConsolidatedExperience,
  });
  // The user has no confirmed authenticator (checked above), so this is the first enrollment: a
  // code left by an abandoned association is replaced, never shown again.
  const recovery = newRecoveryCode();
  await deps.recoveryCodes.put(ctx.tenant.id, user.userId, deps.recoveryHash(user.userId, recovery), now);
  return { authenticator_type: 'oob', binding_method: 'prompt', oob_channel: channel, oob_code: otp.id, recovery_codes: [recovery] };
}
