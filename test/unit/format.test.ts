// The result writers of format.ts: streamed tables, CSV, JSON and NDJSON, and each sink's escaping.
import {
  csvField,
  csvWriter,
  formatCsv,
  formatTable,
  jsonWriter,
  ndjsonWriter,
  tableWriter,
} from '#functions/cli/format.js';

const written = (
  w: { chunk(r: readonly Record<string, unknown>[]): string; end(): string },
  chunks: Record<string, unknown>[][],
): string => [...chunks.map((c) => w.chunk(c)), w.end()].filter((t) => t !== '').join('\n');

describe('result writers', () => {
  it('sizes a streamed table from the first chunk and cuts later cells to it', () => {
    const out = written(tableWriter(['n', 's']), [[{ n: 1, s: 'ab' }], [{ n: 12345, s: 'abcdef' }]]);
    expect(out.split('\n')).toEqual(['n  s', '─  ──', '1  ab', '…  a…']);
  });

  it('shows NULL in a query table, blank in the summaries, and escapes control characters', () => {
    const rows = [{ a: null, b: '', c: '\u001b[2J' }];
    expect(written(tableWriter(['a', 'b', 'c']), [rows]).split('\n')[2]).toBe('NULL     \\u{1b}[2J');
    expect(formatTable(['a', 'b'], [{ a: null, b: 'x' }]).split('\n')[2]).toBe('   x');
  });

  it('writes a table of 100,000 rows in one chunk without overflowing the stack', () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => ({ n: i }));
    expect(formatTable(['n'], rows).split('\n')).toHaveLength(100_002);
  });

  it('writes CSV: NULL empty, "" for the empty string, lists as JSON, formulas defused', () => {
    expect(csvField(null)).toBe('');
    expect(csvField('')).toBe('""');
    expect(csvField(['Tyler, The Creator', 'Kali Uchis'])).toBe('"[""Tyler, The Creator"",""Kali Uchis""]"');
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('\u001b[31m=x')).toBe("'\u001b[31m=x");
    expect(csvField('\u001b]0;title\u0007\u001b[31m=x')).toBe("'\u001b]0;title\u0007\u001b[31m=x");
    expect(csvField('\u001b[31m=x', true)).toBe("'\\u{1b}[31m=x");
    expect(csvField(-3)).toBe('-3');
    expect(formatCsv(['a'], [])).toBe('a');
  });

  it('streams a valid JSON array across chunks, and [] when there are no rows', () => {
    const out = written(jsonWriter(), [[{ a: 1 }, { a: 2 }], [], [{ a: null }]]);
    expect(JSON.parse(out)).toEqual([{ a: 1 }, { a: 2 }, { a: null }]);
    expect(written(jsonWriter(), [[]])).toBe('[]');
    expect(written(ndjsonWriter(), [[{ a: '\u0007' }], [{ a: [1] }]])).toBe('{"a":"\\u0007"}\n{"a":[1]}');
  });

  it('writes the CSV header alone for an empty result', () => {
    expect(written(csvWriter(['a', 'b']), [])).toBe('a,b');
  });
});
