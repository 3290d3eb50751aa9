import { useState } from 'react';
import { RecentDecisions } from '../attack/Decisions.js';
import { FraudGuardSettings } from '../attack/FraudGuard.js';
import { QuarantinedPrefixes } from '../attack/Quarantines.js';
import { SendPolicyEditor } from '../attack/SendPolicy.js';
import { SpendCaps } from '../attack/Spend.js';
import { VelocityLimits } from '../attack/Velocity.js';

/**
 * Security › Attack Protection: the phone send policy, the velocity limits, the fraud guard with its
 * quarantined and safe-listed prefixes, the spend against the caps, and the recent refusals.
 */
export function AttackProtectionPage({ tenant, readOnly }: { tenant: string; readOnly: boolean }) {
  const [version, setVersion] = useState(0);
  const bump = () => setVersion((v) => v + 1);
  return (
    <>
      <SendPolicyEditor tenant={tenant} readOnly={readOnly} onSaved={bump} />
      <RecentDecisions tenant={tenant} version={version} />
      <VelocityLimits tenant={tenant} readOnly={readOnly} />
      <FraudGuardSettings tenant={tenant} readOnly={readOnly} onSaved={bump} />
      <QuarantinedPrefixes tenant={tenant} readOnly={readOnly} version={version} />
      <SpendCaps tenant={tenant} readOnly={readOnly} />
    </>
  );
}
