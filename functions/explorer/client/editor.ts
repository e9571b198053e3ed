// The SQL page's script: CodeMirror 6 in place of the textarea (SQL highlighting, completion of the lake's tables
// and columns from the page's JSON), Run in the page through /api/sql (Ctrl+Enter too). Without it the plain form
// posts and the server renders the result; Download CSV and Save stay plain form posts either way.
import { PostgreSQL, sql, type SQLNamespace } from '@codemirror/lang-sql';
import { EditorView, basicSetup } from 'codemirror';
import { cellText, isNumeric } from '../cells.js';

interface ColumnHelp {
  readonly name: string;
  readonly type: string;
  readonly description?: string;
}

interface Answer {
  readonly columns?: readonly string[];
  readonly rows?: readonly Record<string, unknown>[];
  readonly truncated?: boolean;
  readonly elapsedMs?: number;
  readonly csvRows?: number;
  readonly error?: string;
  readonly hint?: string;
}

/** The page's tables and columns as CodeMirror's completion schema. */
function completionSchema(): SQLNamespace {
  const text = document.getElementById('sql-schema')?.textContent ?? '{}';
  const tables = JSON.parse(text) as Record<string, readonly ColumnHelp[]>;
  const schema: Record<string, SQLNamespace> = {};
  for (const [table, columns] of Object.entries(tables)) {
    schema[table] = columns.map((c) => ({
      label: c.name,
      type: 'property',
      detail: c.type,
      ...(c.description ? { info: c.description } : {}),
    }));
  }
  return schema;
}

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string) => {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
};

const count = (n: number): string => n.toLocaleString('en');

/** The result as the server draws it (views/sql-result.ts), built with text nodes only. */
function drawAnswer(target: HTMLElement, answer: Answer): void {
  target.replaceChildren();
  if (answer.error !== undefined) {
    const error = el('p', answer.error, 'error');
    error.setAttribute('role', 'alert');
    target.append(error);
    if (answer.hint) target.append(el('p', answer.hint, 'hint'));
    return;
  }
  const columns = answer.columns ?? [];
  const rows = answer.rows ?? [];
  const shown = `${count(rows.length)} row${rows.length === 1 ? '' : 's'} in ${count(answer.elapsedMs ?? 0)} ms`;
  const line = answer.truncated
    ? `${shown}: the first ${count(rows.length)} are shown and more exist; Download CSV holds up to ${count(answer.csvRows ?? 0)}.`
    : `${shown}.`;
  const status = el('p', line, 'result-line');
  status.setAttribute('role', 'status');
  target.append(status);
  if (rows.length === 0) return;
  const table = el('table', undefined, 'result');
  const head = table.createTHead().insertRow();
  for (const c of columns) {
    const th = el('th', c);
    th.scope = 'col';
    head.append(th);
  }
  const body = table.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    for (const c of columns) {
      const text = cellText(r[c]);
      tr.append(el('td', text ?? 'NULL', text === null ? 'null' : isNumeric(r[c]) ? 'num' : undefined));
    }
  }
  const scroll = el('div', undefined, 'table-scroll');
  scroll.setAttribute('role', 'region');
  scroll.setAttribute('aria-label', 'Result rows');
  scroll.tabIndex = 0;
  scroll.append(table);
  target.append(scroll);
}

async function runInPage(form: HTMLFormElement, button: HTMLButtonElement, sqlText: string): Promise<void> {
  const target = document.getElementById('result');
  if (!target || button.disabled) return;
  const token = (form.elements.namedItem('_csrf') as HTMLInputElement | null)?.value ?? '';
  button.disabled = true;
  target.setAttribute('aria-busy', 'true');
  try {
    const response = await fetch('/api/sql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': token },
      body: JSON.stringify({ sql: sqlText }),
    });
    const answer = (await response.json().catch(() => ({
      error: `The server answered ${response.status}: reload the page.`,
    }))) as Answer;
    drawAnswer(target, answer);
  } catch {
    drawAnswer(target, { error: 'The server could not be reached: try again.' });
  } finally {
    button.disabled = false;
    target.removeAttribute('aria-busy');
  }
}

/** CodeMirror in a shadow root: its styles are then constructed style sheets, which the page's CSP allows. */
function mountEditor(textarea: HTMLTextAreaElement, run: () => void): EditorView {
  const host = el('div', undefined, 'sql-editor');
  textarea.after(host);
  textarea.hidden = true;
  const root = host.attachShadow({ mode: 'open' });
  const view = new EditorView({
    doc: textarea.value,
    root,
    parent: root,
    extensions: [
      // Before basicSetup, so that it comes before its keymap (where Mod-Enter inserts a blank line).
      EditorView.domEventHandlers({
        keydown: (event) => {
          if (event.key !== 'Enter' || !(event.ctrlKey || event.metaKey)) return false;
          event.preventDefault();
          run();
          return true;
        },
      }),
      basicSetup,
      // song_data's columns complete bare too (most queries are on it); the others after `album_data.` etc.
      sql({
        dialect: PostgreSQL,
        schema: completionSchema(),
        defaultTable: 'song_data',
        upperCaseKeywords: true,
      }),
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({ 'aria-label': 'SQL' }),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) textarea.value = u.state.doc.toString();
      }),
      EditorView.theme({
        '&': { border: '1px solid #8888', minHeight: '12rem', fontSize: '0.95rem' },
        '&.cm-focused': { outline: '3px solid #1db954', outlineOffset: '2px' },
        '.cm-scroller': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace' },
        '.cm-content': { minHeight: '12rem' },
      }),
    ],
  });
  const label = document.querySelector<HTMLLabelElement>('label[for="sql"]');
  label?.addEventListener('click', () => view.focus());
  return view;
}

function start(): void {
  const form = document.getElementById('sql-form') as HTMLFormElement | null;
  const textarea = document.getElementById('sql') as HTMLTextAreaElement | null;
  const button = document.getElementById('run') as HTMLButtonElement | null;
  if (!form || !textarea || !button) return;
  const view = mountEditor(textarea, () => void runInPage(form, button, view.state.doc.toString()));
  form.addEventListener('submit', (event) => {
    textarea.value = view.state.doc.toString();
    if (event.submitter === button) {
      event.preventDefault();
      void runInPage(form, button, textarea.value);
    }
  });
}

start();
