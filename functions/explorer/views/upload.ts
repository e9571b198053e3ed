// The upload page (editors): a plain multipart form with a file input, which client/upload.ts turns into a drop
// zone as well, and after an upload the run's summary — what was set aside and rejected included, line by line.
import { html } from 'hono/html';
import { csrfField, layout, message, type Html, type PageContext } from '../html.js';
import type { UploadSummary } from '../ports.js';
import { MAX_UPLOAD_BYTES } from '../uploads.js';

export interface UploadState {
  readonly error?: string;
  readonly hint?: string;
  readonly summary?: UploadSummary;
}

const count = (n: number): string => n.toLocaleString('en');

function figures(s: UploadSummary): Html {
  const rows: [string, string][] = [
    ['File', s.fileName],
    ['Chart', s.chartId],
    ['Chart date', s.date],
    ['Chart entries', count(s.entries)],
    ['Records delivered', count(s.delivered)],
    ['Chart rows set aside', count(s.setAside.length)],
    ['Song rows written', count(s.rowsWritten)],
    ['Lines rejected', count(s.rejectedLines)],
    ['Enrichment', s.enrichment],
  ];
  return html`<dl class="figures">
    ${rows.map(
      ([k, v]) =>
        html`<dt>${k}</dt>
          <dd>${v}</dd>`,
    )}
  </dl>`;
}

function setAside(s: UploadSummary): Html {
  if (s.setAside.length === 0) return html``;
  return html`<h3>Chart rows set aside</h3>
    <p class="hint">
      Kept under raw_data/rejected/extract/ with their reasons; the chart's other rows went on.
    </p>
    <div class="table-scroll" role="region" aria-label="Chart rows set aside" tabindex="0">
      <table>
        <thead>
          <tr>
            <th scope="col" class="num">line</th>
            <th scope="col">reason</th>
            <th scope="col">text</th>
          </tr>
        </thead>
        <tbody>
          ${s.setAside.map(
            (p) =>
              html`<tr>
                <td class="num">${p.line}</td>
                <td>${p.reason}</td>
                <td><code>${p.text}</code></td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
}

function rejected(s: UploadSummary): Html {
  if (s.rejectedLines === 0) return html``;
  return html`<h3>Lines the transformer rejected</h3>
    <p class="hint">
      ${count(s.rejectedLines)} raw record line(s), kept under raw_data/rejected/ with their
      reasons${s.rejected.length < s.rejectedLines ? `; the first ${s.rejected.length} are listed` : ''}.
    </p>
    <ul>
      ${s.rejected.map((r) => html`<li>line ${r.line}: ${r.reason}</li>`)}
    </ul>`;
}

function summaryView(s: UploadSummary): Html {
  const query = `SELECT position, song_name, artist_names, streams\nFROM song_data\nWHERE snapshot_date = DATE '${s.date}' AND chart_id = '${s.chartId}'\nORDER BY position`;
  return html`<section class="summary" aria-labelledby="summary-title">
    <h2 id="summary-title">${s.chartId} on ${s.date}: ${s.complete ? 'complete' : 'not complete'}</h2>
    ${
      s.complete
        ? message('note', `Every entry of ${s.fileName} is in the lake.`)
        : message('error', s.problem ?? 'Some lines were set aside: see below.')
    }
    ${figures(s)}
    ${
      s.notes.length
        ? html`<ul class="notes">
            ${s.notes.map((n) => html`<li>${n}</li>`)}
          </ul>`
        : ''
    }
    ${setAside(s)} ${rejected(s)}
    <p><a href="/sql?sql=${encodeURIComponent(query)}">Query this chart day</a></p>
  </section>`;
}

export function uploadPage(ctx: PageContext, state: UploadState): Html {
  return layout(
    ctx,
    'Upload a chart',
    html`<h1>Upload a chart</h1>
      <p>
        A Spotify Charts CSV as charts.spotify.com downloads it, named
        regional-&lt;region&gt;-daily-YYYY-MM-DD.csv (or -weekly-), at most ${MAX_UPLOAD_BYTES / 2 ** 20} MiB.
        It goes into the lake's inbox and through the same extract and transform as
        <code>spotify-etl run --source charts-csv</code>; a chart day uploaded again replaces the earlier run.
      </p>
      ${message('error', state.error)} ${state.hint ? html`<p class="hint">${state.hint}</p>` : ''}
      <form class="stack upload-form" method="post" action="/upload" enctype="multipart/form-data">
        ${csrfField(ctx)}
        <label for="chart">Chart CSV</label>
        <div class="drop-zone" id="drop-zone">
          <input
            id="chart"
            name="chart"
            type="file"
            accept=".csv,text/csv"
            required
            aria-describedby="chart-hint"
          />
          <p id="chart-hint" class="hint">Choose the file, or drop it on this box.</p>
        </div>
        <button type="submit">Upload and run</button>
      </form>
      ${state.summary ? summaryView(state.summary) : ''}`,
    { scripts: ['upload.js'] },
  );
}
