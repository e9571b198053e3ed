// A query's result on the SQL page: the rows as a table (NULL marked apart from the empty string), or the refusal
// with its hint. The editor's script draws the same markup from /api/sql's JSON (client/editor.ts).
import { html } from 'hono/html';
import { cellText, isNumeric } from '../cells.js';
import { message, type Html } from '../html.js';
import { SQL_LIMITS, type SqlOutcome } from '../sql-run.js';

const count = (n: number): string => n.toLocaleString('en');

function cell(value: unknown): Html {
  const text = cellText(value);
  if (text === null) return html`<td class="null">NULL</td>`;
  return isNumeric(value) ? html`<td class="num">${text}</td>` : html`<td>${text}</td>`;
}

/** The line above the table: how many rows, how long, and whether more exist than are shown. */
export function resultLine(rows: number, truncated: boolean, elapsedMs: number): string {
  const shown = `${count(rows)} row${rows === 1 ? '' : 's'} in ${count(elapsedMs)} ms`;
  return truncated
    ? `${shown}: the first ${count(rows)} are shown and more exist; Download CSV holds up to ${count(SQL_LIMITS.csvRows)}.`
    : `${shown}.`;
}

export function resultView(outcome: SqlOutcome | undefined): Html {
  if (!outcome) return html``;
  if (!outcome.ok) {
    return html`${message('error', outcome.message)}
    ${outcome.hint ? html`<p class="hint">${outcome.hint}</p>` : ''}`;
  }
  const { columns, rows, truncated, elapsedMs } = outcome.result;
  return html`<p class="result-line" role="status">${resultLine(rows.length, truncated, elapsedMs)}</p>
    ${
      rows.length === 0
        ? ''
        : html`<div class="table-scroll" role="region" aria-label="Result rows" tabindex="0">
            <table class="result">
              <thead>
                <tr>
                  ${columns.map((c) => html`<th scope="col">${c}</th>`)}
                </tr>
              </thead>
              <tbody>
                ${rows.map(
                  (r) =>
                    html`<tr>
                      ${columns.map((c) => cell(r[c]))}
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }`;
}
