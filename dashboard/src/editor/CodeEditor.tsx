import { useEffect, useId, useRef, useState } from 'react';
import { ErrorNote } from '../ui.js';
import type { EditorHandle, Language } from './codemirror.js';
import './editors.css';

/** CodeMirror comes in its own chunk, fetched the first time an editor is shown. */
const loadCodeMirror = () => import('./codemirror.js');

/**
 * A labelled code editor (CodeMirror 6). `value` is the source of truth the page holds: a change
 * made outside (a reset, a reload) replaces the editor's text; typing calls `onChange`.
 */
export function CodeEditor(props: { label: string; value: string; onChange: (text: string) => void; language: Language; readOnly?: boolean; hint?: string }) {
  const host = useRef<HTMLDivElement>(null);
  const handle = useRef<EditorHandle | undefined>(undefined);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;
  const initial = useRef(props.value);
  const [failed, setFailed] = useState<unknown>();
  const [ready, setReady] = useState(false);
  const labelId = useId();
  const readOnly = props.readOnly ?? false;

  useEffect(() => {
    let gone = false;
    loadCodeMirror().then((m) => {
      if (gone || !host.current) return;
      handle.current = m.createEditor(host.current, {
        doc: handle.current?.value() ?? initial.current,
        language: props.language,
        label: props.label,
        readOnly,
        onChange: (t) => onChange.current(t),
      });
      setReady(true);
    }, setFailed);
    return () => {
      gone = true;
      handle.current?.destroy();
    };
  }, [props.language, props.label, readOnly]);

  useEffect(() => {
    initial.current = props.value;
    if (handle.current && handle.current.value() !== props.value) handle.current.set(props.value);
  }, [props.value]);

  return (
    <div className="field code-field">
      <span id={labelId} aria-hidden="true">
        {props.label}
      </span>
      {!ready && !failed && <p className="muted">Loading the editor…</p>}
      <div ref={host} className="code-host" data-ready={ready ? 'true' : undefined} />
      {props.hint && <small className="muted">{props.hint}</small>}
      <ErrorNote error={failed} />
    </div>
  );
}

/** The original and the changed code side by side (@codemirror/merge), read-only. */
export function DiffView(props: { a: string; b: string; labelA: string; labelB: string }) {
  const host = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState<unknown>();
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let gone = false;
    let view: { destroy(): void } | undefined;
    loadCodeMirror().then((m) => {
      if (gone || !host.current) return;
      view = m.createDiff(host.current, props);
      setReady(true);
    }, setFailed);
    return () => {
      gone = true;
      view?.destroy();
    };
  }, [props.a, props.b, props.labelA, props.labelB]);
  return (
    <div className="diff">
      <div className="diff-heads" aria-hidden="true">
        <span>{props.labelA}</span>
        <span>{props.labelB}</span>
      </div>
      {!ready && !failed && <p className="muted">Loading the diff…</p>}
      <div ref={host} className="diff-host" data-testid="action-diff" data-ready={ready ? 'true' : undefined} />
      <ErrorNote error={failed} />
    </div>
  );
}
