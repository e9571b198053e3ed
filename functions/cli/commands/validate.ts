// `spotify-etl validate`: raw NDJSON records checked against schemas/, one line per bad record.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { EtlError } from '#functions/errors.js';
import { lineBatchesOf } from '#functions/core/ndjson-lines.js';
import { parseRawLine } from '#functions/core/raw-groups.js';
import { EXIT, formatOption, type Command } from '../command.js';

export const validate: Command = {
  name: 'validate',
  summary:
    'check a raw NDJSON file (plain or gzip) as the transformer would; each bad line as file:line: reason',
  args: [{ name: 'file', description: 'a raw NDJSON file (e.g. under raw_data/processed/)', required: true }],
  options: { format: formatOption('text', 'json') },
  examples: ['spotify-etl validate lake/top_200_global/raw_data/processed/2026/11/25/16/spotify-etl-raw-1-…'],
  async run({ values, args, io }) {
    const file = args[0]!;
    await stat(file).catch((e: NodeJS.ErrnoException) => {
      throw new EtlError(`Cannot read ${file}: ${e.code ?? e.message}.`);
    });
    let records = 0;
    let lineNo = 0;
    const invalid: { line: number; reason: string }[] = [];
    // Read as the transformer reads a raw object (plain or gzip, UTF-8 checked, bounded lines), in bounded memory.
    for await (const batch of lineBatchesOf(file, createReadStream(file))) {
      for (const line of batch) {
        lineNo++;
        if (typeof line !== 'string') {
          records++;
          invalid.push({ line: lineNo, reason: line.reason });
          continue;
        }
        if (line.trim() === '') continue;
        records++;
        const r = parseRawLine(line.endsWith('\r') ? line.slice(0, -1) : line);
        if ('reason' in r) invalid.push({ line: lineNo, reason: r.reason });
      }
    }
    if (values.format === 'json') {
      io.out(JSON.stringify({ file, records, valid: records - invalid.length, invalid }, null, 2));
    } else {
      for (const bad of invalid) io.out(`${file}:${bad.line}: ${bad.reason}`);
      io.out(`${records} records, ${records - invalid.length} valid, ${invalid.length} invalid`);
    }
    return invalid.length > 0 ? EXIT.failed : EXIT.ok;
  },
};
