// The SQL editor: CodeMirror 6 with SQLite highlighting, completion of the database's table and
// column names, and Ctrl/Cmd+Enter to run. It lives in a shadow root: there CodeMirror adds its styles
// as constructed style sheets (adoptedStyleSheets), which the page's style-src 'self' allows; in the
// document itself it would add <style> elements, which that policy (rightly) refuses.
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';
import { basicSetup, EditorView } from 'codemirror';
import { Compartment, Prec } from '@codemirror/state';
import { keymap } from '@codemirror/view';
import { sql, SQLite } from '@codemirror/lang-sql';
import type { SchemaTable } from '../../../electron/shared/contract';

export interface SqlEditorHandle {
  /** Puts the cursor at an offset of the statement (an error's position) and focuses the editor. */
  focusAt(offset: number): void;
  setText(text: string): void;
  focus(): void;
}

interface SqlEditorProps {
  initialText: string;
  schema: SchemaTable[];
  onChange: (text: string) => void;
  onRun: () => void;
  label: string;
}

/** The page's style sheets do not reach into the shadow root: the editor's look is set here. */
const EDITOR_THEME = EditorView.theme({
  '&': { minHeight: '9rem', maxHeight: '22rem', fontSize: '13px', borderBottom: '1px solid var(--border, #dde1e7)' },
  '&.cm-focused': { outline: '2px solid var(--focus, #2f6fed)', outlineOffset: '-2px' },
  '.cm-scroller': { fontFamily: 'var(--font-mono, monospace)' },
});

function sqlLanguage(schema: SchemaTable[]) {
  return sql({
    dialect: SQLite,
    upperCaseKeywords: true,
    schema: Object.fromEntries(schema.map((t) => [t.name, t.columns.map((c) => c.name)])),
  });
}

export const SqlEditor = forwardRef<SqlEditorHandle, SqlEditorProps>(function SqlEditor(
  { initialText, schema, onChange, onRun, label },
  ref,
) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const language = useRef(new Compartment());
  // The editor is made once; it calls the latest callbacks through these.
  const callbacks = useRef({ onChange, onRun });
  callbacks.current = { onChange, onRun };

  useEffect(() => {
    const shadow = host.current!.shadowRoot ?? host.current!.attachShadow({ mode: 'open' });
    const editor = new EditorView({
      root: shadow,
      parent: shadow,
      doc: initialText,
      extensions: [
        EDITOR_THEME,
        Prec.highest(
          keymap.of([
            {
              key: 'Mod-Enter',
              run: () => {
                callbacks.current.onRun();
                return true;
              },
            },
          ]),
        ),
        basicSetup,
        language.current.of(sqlLanguage(schema)),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ 'aria-label': label }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) callbacks.current.onChange(update.state.doc.toString());
        }),
      ],
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // Made once: text and schema changes arrive through setText and the effect below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    view.current?.dispatch({ effects: language.current.reconfigure(sqlLanguage(schema)) });
  }, [schema]);

  useImperativeHandle(ref, () => ({
    focusAt(offset) {
      const editor = view.current;
      if (!editor) return;
      const at = Math.min(offset, editor.state.doc.length);
      editor.dispatch({ selection: { anchor: at }, scrollIntoView: true });
      editor.focus();
    },
    setText(text) {
      const editor = view.current;
      if (!editor) return;
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: text } });
    },
    focus() {
      view.current?.focus();
    },
  }));

  return <div className="sql-editor" ref={host} />;
});
