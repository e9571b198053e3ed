// Finding Charts CSV files for backfill: a folder (searched recursively), a glob on file names, or one file.
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseChartFileName } from '../core/charts-csv.js';
import { UNDATED } from '../core/dates.js';
import { EtlError } from '../errors.js';

async function walk(dir: string, out: string[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) await walk(full, out);
    else if (entry.name.toLowerCase().endsWith('.csv')) out.push(full);
  }
}

/** `*` and `?` in the last path segment (`charts/regional-*-daily-2024-*.csv`); the folder part is literal. */
function globToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

/** Chart date order (then name), so a backfill fills history forwards and previous_rank checks make sense. */
export function sortByChartDate(paths: string[]): string[] {
  const key = (p: string): string => parseChartFileName(basename(p))?.date ?? UNDATED;
  return paths.sort((a, b) => key(a).localeCompare(key(b)) || a.localeCompare(b));
}

export async function listCsvFiles(arg: string): Promise<string[]> {
  const files: string[] = [];
  if (/[*?]/.test(basename(arg))) {
    const dir = dirname(arg);
    if (/[*?]/.test(dir))
      throw new EtlError(`Wildcards are supported in file names only: ${arg}`, {
        hint: 'Use a folder (searched recursively) or folder/pattern*.csv.',
      });
    const re = globToRegExp(basename(arg));
    const entries = await readdir(dir).catch(() => {
      throw new EtlError(`Cannot read the folder ${dir}.`);
    });
    for (const name of entries) if (re.test(name)) files.push(join(dir, name));
  } else {
    const info = await stat(arg).catch(() => {
      throw new EtlError(`${arg} does not exist.`, {
        hint: 'Give a folder of Charts CSV files, a glob such as charts/*.csv, or a file.',
      });
    });
    if (info.isDirectory()) await walk(arg, files);
    else files.push(arg);
  }
  if (files.length === 0) throw new EtlError(`No CSV files match ${arg}.`);
  return sortByChartDate(files);
}
