// A chart upload, checked before anything is written: a Spotify Charts file name (it gives the chart and its
// date), at most the CSV reader's 16 MiB, UTF-8 text that reads as a chart with entries. A refused file leaves the
// inbox as it was; an accepted one is handed to the ChartUploads port.
import { MAX_CHART_CSV_CHARS, parseChartCsv, parseChartFileName } from '#functions/core/charts-csv.js';
import { ChartFormatError } from '#functions/errors.js';

export const MAX_UPLOAD_BYTES = MAX_CHART_CSV_CHARS;

/** Letters, digits, dot, dash and underscore, ending in .csv: safe as an inbox key on a disk and in S3. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,150}\.csv$/;

export interface UploadRefusal {
  /** 400 a bad name, 413 too large, 415 not text, 422 text that is not a chart. */
  readonly status: 400 | 413 | 415 | 422;
  readonly message: string;
  readonly hint?: string;
}

export type UploadCheck =
  { readonly ok: true; readonly fileName: string } | ({ readonly ok: false } & UploadRefusal);

const NAME_HINT =
  'charts.spotify.com names its downloads regional-<region>-<daily|weekly>-YYYY-MM-DD.csv (regional-global-daily-2024-02-05.csv); the name gives the chart and its date.';

/** The file name as sent (some browsers send a path), without its folders. */
export const uploadName = (sent: string): string => sent.split(/[\\/]/).pop()?.trim() ?? '';

function nameProblem(name: string): UploadRefusal | undefined {
  if (name === '') return { status: 400, message: 'Choose a chart file to upload.' };
  const chart = parseChartFileName(name);
  if (!SAFE_NAME.test(name) || !chart) {
    return { status: 400, message: `"${name}" is not a Spotify Charts file name.`, hint: NAME_HINT };
  }
  if (!chart.date) {
    return {
      status: 400,
      message: `"${name}" does not say its chart date.`,
      hint: 'Rename it with the date of the chart, e.g. regional-global-daily-2020-04-02.csv.',
    };
  }
  return undefined;
}

function textOf(bytes: Uint8Array): string | undefined {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return text.includes('\u0000') ? undefined : text;
  } catch {
    return undefined;
  }
}

/** Whether the file may go into the inbox: its name, its size, and a dry parse of its text. */
export function checkUpload(sentName: string, bytes: Uint8Array): UploadCheck {
  const fileName = uploadName(sentName);
  const bad = nameProblem(fileName);
  if (bad) return { ok: false, ...bad };
  if (bytes.byteLength > MAX_UPLOAD_BYTES) {
    return {
      ok: false,
      status: 413,
      message: `${fileName} is ${(bytes.byteLength / 2 ** 20).toFixed(1)} MiB; a chart file is at most ${MAX_UPLOAD_BYTES / 2 ** 20} MiB.`,
      hint: 'A Spotify Charts CSV is under 100 KB: upload one chart per file.',
    };
  }
  const text = textOf(bytes);
  if (text === undefined || bytes.byteLength === 0) {
    return {
      ok: false,
      status: 415,
      message: `${fileName} is ${bytes.byteLength === 0 ? 'empty' : 'not text'}: a Spotify Charts CSV is UTF-8 text.`,
    };
  }
  try {
    const chart = parseChartCsv(text, { fileName });
    if (chart.entries.length === 0) {
      return { ok: false, status: 422, message: `${fileName} holds no chart entries.` };
    }
  } catch (error) {
    if (!(error instanceof ChartFormatError)) throw error;
    return { ok: false, status: 422, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  }
  return { ok: true, fileName };
}
