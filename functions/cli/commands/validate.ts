// `spotify-etl validate`: raw NDJSON records checked against schemas/, one line per bad record.
import { readFile } from 'node:fs/promises';
import { EtlError } from '#functions/errors.js';
import { parseRawLine } from '#functions/core/raw-groups.js';
import { EXIT, formatOption, type Command } from '../command.js';

export const validate: Command = {
  name: 'validate',
  summary: 'check a raw NDJSON file against schemas/; each bad line as file:line: reason',
  args: [{ name: 'file', description: 'a raw NDJSON file (e.g. under raw_data/processed/)', required: true }],
  options: { format: formatOption('text', 'json') },
  examples: ['spotify-etl validate lake/top_200_global/raw_data/processed/2026/11/25/16/spotify-etl-raw-1-…'],
  async run({ values, args, io }) {
    const file = args[0]!;
    const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new EtlError(`Cannot read ${file}: ${e.code ?? e.message}.`);
    });
    let records = 0;
    const invalid: { line: number; reason: string }[] = [];
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      records++;
      const r = parseRawLine(line.endsWith('\r') ? line.slice(0, -1) : line);
      if ('reason' in r) invalid.push({ line: i + 1, reason: r.reason });
    });
    if (values.format === 'json') {
      io.out(JSON.stringify({ file, records, valid: records - invalid.length, invalid }, null, 2));
    } else {
      for (const bad of invalid) io.out(`${file}:${bad.line}: ${bad.reason}`);
      io.out(`${records} records, ${records - invalid.length} valid, ${invalid.length} invalid`);
    }
    return invalid.length > 0 ? EXIT.failed : EXIT.ok;
  },
};
