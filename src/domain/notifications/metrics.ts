/** What the pipeline reports for monitoring; the Prometheus adapter implements it. */
export interface PipelineMetrics {
  attempt(provider: string, durationSeconds: number, outcome: 'sent' | 'retry' | 'failed'): void;
  /** A notification reached a final status (or `sent`, the last status a provider without receipts reaches). */
  status(tenant: string, type: string, provider: string, status: string): void;
  retry(provider: string): void;
  /** A guard of the send policy refused a send (`reason`: its reason code, e.g. `spend_cap_daily`). */
  denied(guard: string, reason: string): void;
}

export const noMetrics: PipelineMetrics = { attempt: () => undefined, status: () => undefined, retry: () => undefined, denied: () => undefined };
