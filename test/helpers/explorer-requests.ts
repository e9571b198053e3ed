// Requests TestBrowser does not make: JSON with the CSRF header (as the editor's script sends it) and multipart
// forms (a file input), with the browser's cookie and token; and a small real lake for the explorer's tests.
import { join } from 'node:path';
import { runLocal } from '#functions/cli/local-runtime.js';
import { loadConfig } from '#functions/config.js';
import { silentLogger, systemClock } from '#functions/ports.js';
import { ORIGIN, type TestBrowser, type TestExplorer } from './explorer.js';
import { chartsDir, tempDir } from './paths.js';

export interface RequestOptions {
  readonly csrf?: boolean;
  readonly origin?: string;
}

const headersOf = (browser: TestBrowser, options: RequestOptions): Record<string, string> => ({
  origin: options.origin ?? ORIGIN,
  ...(browser.cookie ? { cookie: browser.cookie } : {}),
  ...(options.csrf !== false && browser.csrf ? { 'x-csrf-token': browser.csrf } : {}),
});

/** A JSON POST as client/editor.ts makes it: the token in x-csrf-token. */
export async function postJson(
  t: TestExplorer,
  browser: TestBrowser,
  path: string,
  body: unknown,
  options: RequestOptions = {},
): Promise<Response> {
  return t.app.request(`${ORIGIN}${path}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...headersOf(browser, options),
    },
  });
}

/** A multipart form post with one file, the token in the `_csrf` field as the page's form sends it. */
export async function postFile(
  t: TestExplorer,
  browser: TestBrowser,
  path: string,
  file: { readonly name: string; readonly bytes: Uint8Array | string },
  options: RequestOptions = {},
): Promise<Response> {
  const form = new FormData();
  if (options.csrf !== false && browser.csrf) form.set('_csrf', browser.csrf);
  form.set('chart', new File([file.bytes], file.name, { type: 'text/csv' }));
  const { 'x-csrf-token': _token, ...headers } = headersOf(browser, options);
  return t.app.request(`${ORIGIN}${path}`, { method: 'POST', body: form, headers });
}

/** A lake of real charts: these AU daily files through `spotify-etl run --source charts-csv:<file>`. */
export async function realChartLake(files: readonly string[]): Promise<string> {
  const lake = await tempDir('explorer-lake-');
  const config = loadConfig({ SPOTIFY_ETL_LAKE: lake });
  for (const file of files) {
    await runLocal(config, systemClock, silentLogger, { source: `charts-csv:${join(chartsDir, file)}` });
  }
  return lake;
}

/** The textarea's text as the page holds it (the parser drops the newline after the opening tag). */
export const textareaOf = (page: string): string =>
  (/<textarea[^>]*>\n?([\s\S]*?)<\/textarea>/.exec(page)?.[1] ?? '')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
