import type { DeliveryMethod } from '../ports.js';

/**
 * Tenant log event types written by the delivery pipeline. The first four are Auth0's Guardian phone
 * codes; the others are ours (Auth0 documents no phone equivalent) and are listed in docs/api.md.
 */
export const LOG_TYPES = {
  gd_send_sms: 'Phone message sent by SMS',
  gd_send_sms_failure: 'Phone message could not be sent by SMS',
  gd_send_voice: 'Phone message sent by voice call',
  gd_send_voice_failure: 'Phone message could not be sent by voice call',
  phone_send_retry: 'Phone message attempt failed; a retry is scheduled',
  phone_delivered: 'Phone message delivered (provider receipt)',
  phone_undelivered: 'Phone message not delivered (provider receipt)',
  phone_test_number: 'Phone message to a test number captured; no provider was called',
  phone_send_denied: 'Phone message refused by the send policy',
} as const;

export type LogType = keyof typeof LOG_TYPES;

export const sentType = (m: DeliveryMethod): LogType => (m === 'voice' ? 'gd_send_voice' : 'gd_send_sms');
export const failedType = (m: DeliveryMethod): LogType => (m === 'voice' ? 'gd_send_voice_failure' : 'gd_send_sms_failure');
