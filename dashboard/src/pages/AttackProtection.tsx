import { useState } from 'react';
import { RecentDecisions } from '../attack/Decisions.js';
import { PendingProtections } from '../attack/Pending.js';
import { SendPolicyEditor } from '../attack/SendPolicy.js';

/** Security › Attack Protection: the phone send policy, its recent refusals, and the protections still to come. */
export function AttackProtectionPage({ tenant, readOnly }: { tenant: string; readOnly: boolean }) {
  const [version, setVersion] = useState(0);
  return (
    <>
      <SendPolicyEditor tenant={tenant} readOnly={readOnly} onSaved={() => setVersion((v) => v + 1)} />
      <RecentDecisions tenant={tenant} version={version} />
      <PendingProtections tenant={tenant} />
    </>
  );
}
