/**
 * CodeMirror 6, loaded on demand (`import()` from CodeEditor / DiffView): the sign-in page and the
 * pages without an editor never download it.
 *
 * The dashboard's CSP (`style-src 'self'`) refuses inline `<style>` elements, which is how CodeMirror
 * styles an editor in a document. In a shadow root it uses constructed stylesheets
 * (`adoptedStyleSheets`) instead, which the CSP does not govern: so each editor lives in an open
 * shadow root of its host element. The page's colour variables inherit into it.
 */
import { javascript } from '@codemirror/lang-javascript';
import { liquid } from '@codemirror/lang-liquid';
import { MergeView } from '@codemirror/merge';
import { EditorState, type Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { basicSetup } from 'codemirror';

export type Language = 'javascript' | 'liquid';

export interface EditorHandle {
  value(): string;
  set(text: string): void;
  destroy(): void;
}

const theme = EditorView.theme({
  '&': { fontSize: '13px', border: '1px solid var(--border)', borderRadius: '6px', backgroundColor: 'var(--panel)', color: 'var(--text)' },
  '&.cm-focused': { outline: '3px solid var(--focus)', outlineOffset: '2px' },
  '.cm-content': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', caretColor: 'var(--text)' },
  '.cm-gutters': { backgroundColor: 'transparent', color: 'var(--muted)', border: 'none' },
  '.cm-activeLine, .cm-activeLineGutter': { backgroundColor: 'transparent' },
  '.cm-scroller': { maxHeight: '28rem', overflow: 'auto' },
});

const lang = (l: Language): Extension => (l === 'javascript' ? javascript() : liquid());

function common(language: Language, label: string, readOnly: boolean): Extension[] {
  return [
    basicSetup,
    lang(language),
    theme,
    EditorView.lineWrapping,
    EditorState.readOnly.of(readOnly),
    EditorView.editable.of(!readOnly),
    EditorView.contentAttributes.of({ 'aria-label': label, ...(readOnly ? { 'aria-readonly': 'true' } : {}) }),
  ];
}

const local = `
:host { display: block; min-width: 0; }
.cm-mergeView { max-height: 32rem; overflow: auto; border: 1px solid var(--border); border-radius: 6px; }
.cm-mergeView .cm-editor { border: 0; border-radius: 0; }
.cm-mergeView .cm-scroller { max-height: none; }
`;

/** The host's shadow root (made once, emptied for a new editor) and a fresh mount point in it. */
function mount(host: HTMLElement): { root: ShadowRoot; parent: HTMLElement } {
  const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  root.replaceChildren();
  if (!root.adoptedStyleSheets.some((s) => (s as CSSStyleSheet & { unifone?: boolean }).unifone)) {
    const sheet = new CSSStyleSheet() as CSSStyleSheet & { unifone?: boolean };
    sheet.replaceSync(local);
    sheet.unifone = true;
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  }
  const parent = document.createElement('div');
  root.append(parent);
  return { root, parent };
}

export function createEditor(host: HTMLElement, o: { doc: string; language: Language; label: string; readOnly: boolean; onChange: (text: string) => void }): EditorHandle {
  let quiet = false;
  const { root, parent } = mount(host);
  const view = new EditorView({
    root,
    parent,
    state: EditorState.create({
      doc: o.doc,
      extensions: [
        ...common(o.language, o.label, o.readOnly),
        EditorView.updateListener.of((u) => {
          if (u.docChanged && !quiet) o.onChange(u.state.doc.toString());
        }),
      ],
    }),
  });
  return {
    value: () => view.state.doc.toString(),
    set(text) {
      quiet = true;
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
      quiet = false;
    },
    destroy: () => view.destroy(),
  };
}

/** Two read-only editors side by side, the changes between them marked. */
export function createDiff(host: HTMLElement, o: { a: string; b: string; labelA: string; labelB: string }): { destroy(): void } {
  const { root, parent } = mount(host);
  const view = new MergeView({
    root,
    parent,
    a: { doc: o.a, extensions: common('javascript', o.labelA, true) },
    b: { doc: o.b, extensions: common('javascript', o.labelB, true) },
    gutter: true,
    highlightChanges: true,
    collapseUnchanged: { margin: 3, minSize: 6 },
  });
  return { destroy: () => view.destroy() };
}
