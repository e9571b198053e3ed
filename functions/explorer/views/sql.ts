// The SQL page: one form that works without JavaScript (Run renders the result here, Download CSV and Save post
// the same fields elsewhere), enhanced by client/editor.ts with CodeMirror, completion and in-page results. Beside
// it: the saved queries the account can open, the repository's examples and the tables' columns.
import { html, raw } from 'hono/html';
import { csrfField, layout, message, type Html, type PageContext } from '../html.js';
import { lakeSchema, scriptJson, type LakeSchema } from '../lake-schema.js';
import type { SavedQuery } from '../ports.js';
import { MAX_NAME_CHARS } from '../saved-queries.js';
import { sqlExamples } from '../sql-examples.js';
import { SQL_LIMITS, type SqlOutcome } from '../sql-run.js';
import { resultView } from './sql-result.js';

export interface EditorState {
  readonly sql: string;
  /** The saved query open in the editor, and whether the account owns it (then it may change or delete it). */
  readonly query?: SavedQuery;
  readonly owner?: boolean;
  /** The save fields as the form last held them. */
  readonly name?: string;
  readonly shared?: boolean;
  /** The queries the account can open: its own and the shared ones. */
  readonly saved: readonly SavedQuery[];
  readonly accountId: string;
  readonly outcome?: SqlOutcome;
  readonly error?: string;
  readonly note?: string;
}

const count = (n: number): string => n.toLocaleString('en');

function saveFields(state: EditorState): Html {
  const { query, owner } = state;
  const shared = state.shared ?? query?.shared ?? false;
  return html`<fieldset class="save">
    <legend>${owner ? 'This saved query' : 'Save the query'}</legend>
    <label for="name">Name</label>
    <input id="name" name="name" maxlength="${MAX_NAME_CHARS}" value="${state.name ?? query?.name ?? ''}" />
    <label class="check"
      ><input type="checkbox" name="shared" value="on" ${shared ? raw('checked') : ''} /> Shared: anyone
      signed in can open it at its link</label
    >
    <div class="buttons">
      ${owner && query ? html`<button type="submit" formaction="/q/${query.id}">Save changes</button>` : ''}
      <button type="submit" formaction="/queries">${owner ? 'Save as a new query' : 'Save'}</button>
    </div>
  </fieldset>`;
}

function editorForm(ctx: PageContext, state: EditorState): Html {
  const { query, owner } = state;
  return html`<form id="sql-form" class="sql-form" method="post" action="/sql">
      ${csrfField(ctx)} ${query ? html`<input type="hidden" name="id" value="${query.id}" />` : ''}
      <label for="sql">SQL</label>
      <textarea
        id="sql"
        name="sql"
        rows="12"
        spellcheck="false"
        autocapitalize="off"
        autocomplete="off"
        aria-describedby="sql-hint"
      >
${state.sql}</textarea>
      <p id="sql-hint" class="hint">
        One SELECT (or WITH … SELECT) over song_data, album_data and artist_data, read-only. It stops after
        ${SQL_LIMITS.timeoutMs / 1000} s; ${count(SQL_LIMITS.shownRows)} rows are shown and a CSV holds up to
        ${count(SQL_LIMITS.csvRows)}. With JavaScript, Ctrl+Enter runs and Ctrl+Space completes.
      </p>
      <div class="buttons">
        <button type="submit" name="action" value="run" id="run">Run</button>
        <button type="submit" formaction="/sql/csv">Download CSV</button>
      </div>
      ${saveFields(state)}
    </form>
    ${
      owner && query
        ? html`<form method="post" action="/q/${query.id}/delete" class="delete">
            ${csrfField(ctx)}<button type="submit" class="danger">Delete "${query.name}"</button>
          </form>`
        : ''
    }
    ${
      query?.shared
        ? html`<p class="hint">
            Its link, for anyone signed in: <a href="/q/${query.id}">/q/${query.id}</a>
          </p>`
        : ''
    }`;
}

function savedList(state: EditorState): Html {
  if (state.saved.length === 0) return html`<p class="hint">None yet: Save keeps a query here.</p>`;
  return html`<ul class="saved">
    ${state.saved.map(
      (q) =>
        html`<li>
          <a href="/q/${q.id}" ${q.id === state.query?.id ? raw('aria-current="page"') : ''}>${q.name}</a>
          <span class="hint"
            >${q.ownerId === state.accountId ? (q.shared ? 'yours, shared' : 'yours, private') : 'shared'}</span
          >
        </li>`,
    )}
  </ul>`;
}

function tablesHelp(schema: LakeSchema): Html {
  return html`${Object.entries(schema).map(
    ([table, columns]) =>
      html`<details>
        <summary>${table}</summary>
        <ul class="columns">
          ${columns.map((c) => html`<li><code>${c.name}</code> <span class="hint">${c.type}</span></li>`)}
        </ul>
      </details>`,
  )}`;
}

function sidebar(state: EditorState, schema: LakeSchema): Html {
  return html`<aside class="sql-side" aria-label="Queries and tables">
    <h2>Saved queries</h2>
    ${savedList(state)}
    <h2>Examples</h2>
    <ul class="examples">
      ${sqlExamples().map(
        (e) =>
          html`<li>
            <a href="/sql?example=${e.name}">${e.name}</a>
            <p class="hint">${e.description.split('. ')[0]}</p>
          </li>`,
      )}
    </ul>
    <h2>Tables</h2>
    ${tablesHelp(schema)}
  </aside>`;
}

export function sqlPage(ctx: PageContext, state: EditorState): Html {
  const schema = lakeSchema();
  const title = state.query ? state.query.name : 'SQL';
  return layout(
    ctx,
    title,
    html`<h1>${title}</h1>
      ${message('error', state.error)} ${message('note', state.note)}
      <div class="sql-page">
        <div class="sql-work">
          ${editorForm(ctx, state)}
          <section id="result" class="result-area" aria-label="Result">${resultView(state.outcome)}</section>
        </div>
        ${sidebar(state, schema)}
      </div>
      <script type="application/json" id="sql-schema">
        ${raw(scriptJson(schema))}
      </script>`,
    { scripts: ['editor.js'] },
  );
}
