import { useState } from 'react';
import { LogsPanel } from '../activity/Logs.js';
import { StatsPanel } from '../activity/Stats.js';
import { NotificationTimeline } from '../activity/Timeline.js';

/** Monitoring › Activity: the sends chart, the logs with their filters, and a notification's timeline. */
export function ActivityPage({ tenant }: { tenant: string }) {
  const [open, setOpen] = useState<string>();
  return (
    <>
      <StatsPanel tenant={tenant} />
      {open && <NotificationTimeline tenant={tenant} id={open} onClose={() => setOpen(undefined)} />}
      <LogsPanel tenant={tenant} onOpen={setOpen} />
    </>
  );
}
