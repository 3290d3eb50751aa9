/** What a send is for, as policies are written: one flow per way a tenant can be made to send. */
export type SendFlow = 'signup' | 'passwordless' | 'mfa_enrollment' | 'mfa_challenge' | 'password_reset' | 'account_notice' | 'test_send';

export const SEND_FLOWS: readonly SendFlow[] = ['signup', 'passwordless', 'mfa_enrollment', 'mfa_challenge', 'password_reset', 'account_notice', 'test_send'];
