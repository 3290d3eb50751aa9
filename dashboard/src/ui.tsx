import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { describeError } from './api.js';

/** An API error shown where it happened (announced to screen readers). */
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {describeError(error)}
    </p>
  );
}

export function Notice({ children, kind = 'info' }: { children: ReactNode; kind?: 'info' | 'warn' | 'ok' }) {
  return (
    <div className={`notice notice-${kind}`} role="status">
      {children}
    </div>
  );
}

/** A button that shows progress and cannot be pressed twice while its action runs. */
export function ActionButton(props: { onClick: () => Promise<void> | void; children: ReactNode; disabled?: boolean; kind?: 'primary' | 'secondary' | 'danger'; busyLabel?: string; type?: 'button' | 'submit' }) {
  const [busy, setBusy] = useState(false);
  return (
    <button
      type={props.type ?? 'button'}
      className={`btn btn-${props.kind ?? 'primary'}`}
      disabled={props.disabled || busy}
      aria-busy={busy}
      onClick={async (e) => {
        if (props.type === 'submit') e.preventDefault();
        setBusy(true);
        try {
          await props.onClick();
        } finally {
          setBusy(false);
        }
      }}
    >
      {busy ? (props.busyLabel ?? 'Working…') : props.children}
    </button>
  );
}

/** Loads once per key change; `reload` loads again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data: T | undefined; error: unknown; loading: boolean; reload: () => Promise<void> } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const run = useCallback(load, deps);
  const reload = useCallback(async () => {
    setLoading(true);
    setError(undefined);
    try {
      setData(await run());
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }, [run]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, loading, reload };
}

export function Loading() {
  return (
    <p className="muted" role="status" aria-live="polite">
      Loading…
    </p>
  );
}
