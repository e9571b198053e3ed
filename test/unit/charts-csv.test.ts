import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chartCompleteness } from '#functions/core/chart-completeness.js';
import {
  MAX_CHART_CSV_CHARS,
  parseChartCsv,
  parseChartFileName,
  splitArtistNames,
} from '#functions/core/charts-csv.js';
import { MAX_CSV_LINE_CHARS, parseCsvRows } from '#functions/core/csv-rows.js';
import { ChartFormatError } from '#functions/errors.js';
import { chartsDir } from '../helpers/paths.js';

const read = (name: string): Promise<string> => readFile(join(chartsDir, name), 'utf8');

describe('Spotify Charts CSV', () => {
  it('reads all 13 real daily AU charts as 200 ordered entries each, with ids from the uri column', async () => {
    const files = (await readdir(chartsDir)).filter((f) => f.startsWith('regional-au-daily-'));
    expect(files).toHaveLength(13);
    for (const f of files) {
      const chart = parseChartCsv(await read(f), { fileName: f });
      expect(chart.entries).toHaveLength(200);
      expect(chart.problems).toEqual([]);
      expect(chart.entries.map((e) => e.position)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      expect(chart.entries.every((e) => /^[0-9A-Za-z]{22}$/.test(e.trackId ?? ''))).toBe(true);
      expect(chart.region).toBe('au');
      expect(chart.chartId).toBe('regional-au-daily');
      expect(chart.date).toBe(f.slice('regional-au-daily-'.length, -4));
    }
  });

  it('strips the BOM, unquotes streams and maps previous_rank -1 to null (new entry)', async () => {
    const chart = parseChartCsv(await read('regional-us-daily-2023-01-21.csv'), {
      fileName: 'regional-us-daily-2023-01-21.csv',
    });
    expect(chart.entries[0]).toMatchObject({
      position: 1,
      trackId: '0yLdNVWF3Srea0uzk55zFn',
      trackName: 'Flowers',
      artistNames: ['Miley Cyrus'],
      streams: 3356361,
      peakRank: 1,
      previousRank: 1,
      daysOnChart: 9,
    });
    expect(chart.entries.filter((e) => e.previousRank === null)).toHaveLength(10);
  });

  it('keeps "Tyler, The Creator" as one artist while splitting collaborations on ", "', async () => {
    const chart = parseChartCsv(await read('regional-au-daily-2024-02-05.csv'), {
      fileName: 'regional-au-daily-2024-02-05.csv',
    });
    expect(chart.entries[175]?.artistNames).toEqual(['Tyler, The Creator', 'Kali Uchis']);
    expect(splitArtistNames('Metro Boomin, The Weeknd, 21 Savage')).toEqual([
      'Metro Boomin',
      'The Weeknd',
      '21 Savage',
    ]);
  });

  it('reads weekly charts (weeks_on_chart, CRLF, "" escapes) as a weekly chart id', async () => {
    const f = 'regional-global-weekly-2024-09-12.csv';
    const chart = parseChartCsv(await read(f), { fileName: f });
    expect(chart.chartId).toBe('regional-global-weekly');
    expect(chart.entries).toHaveLength(200);
    expect(chart.entries[0]).toMatchObject({
      trackName: 'Die With A Smile',
      artistNames: ['Lady Gaga', 'Bruno Mars'],
      weeksOnChart: 4,
      daysOnChart: null,
    });
    expect(chart.entries[157]?.trackName).toBe('What Was I Made For? [From The Motion Picture "Barbie"]');
  });

  it('reads the older spotifycharts.com format with and without its note line', async () => {
    const withNote = parseChartCsv(await read('spotifycharts-regional-global-daily-2020-03-01.csv'), {
      fileName: 'spotifycharts-regional-global-daily-2020-03-01.csv',
    });
    expect(withNote.date).toBe('2020-03-01');
    expect(withNote.entries).toHaveLength(200);
    expect(withNote.entries[0]).toMatchObject({
      position: 1,
      trackName: 'Blinding Lights',
      artistNames: ['The Weeknd'],
      trackId: '0sf12qNH5qcw8qpgymFOqD',
      streams: 5465968,
      peakRank: null,
    });
    const noNote = parseChartCsv(await read('spotifycharts-regional-global-daily-2019-01-01-no-note.csv'), {
      fileName: 'spotifycharts-regional-global-daily-2019-01-01-no-note.csv',
    });
    expect(noNote.entries[0]).toMatchObject({ trackName: 'thank u, next', artistNames: ['Ariana Grande'] });
  });

  it('needs a date for a "latest" file and says how to give one', async () => {
    const text = await read('spotifycharts-regional-global-daily-latest.csv');
    expect(() => parseChartCsv(text, { fileName: 'spotifycharts-regional-global-daily-latest.csv' })).toThrow(
      ChartFormatError,
    );
    try {
      parseChartCsv(text, { fileName: 'spotifycharts-regional-global-daily-latest.csv' });
    } catch (error) {
      expect((error as ChartFormatError).hint).toMatch(/--date YYYY-MM-DD/);
    }
    expect(parseChartCsv(text, { fileName: 'x-latest.csv', date: '2020-01-15' }).entries).toHaveLength(200);
  });

  it('sets bad rows aside with their line number and reason, keeping the good ones', () => {
    const text =
      'rank,uri,artist_names,track_name,source,peak_rank,previous_rank,days_on_chart,streams\n' +
      '1,spotify:track:0yLdNVWF3Srea0uzk55zFn,A,Song,L,1,1,1,100\n' +
      'x,spotify:track:1Qrg8KqiBpW07V7PNxwwwL,B,Song,L,1,1,1,100\n' +
      '3,not-a-uri,C,Song,L,1,1,1,100\n' +
      '1,spotify:track:2dHHgzDwk4BJdRwy9uXhTO,D,Song,L,1,1,1,100\n';
    const chart = parseChartCsv(text, { fileName: 'regional-global-daily-2024-01-01.csv' });
    expect(chart.entries).toHaveLength(1);
    expect(chart.problems.map((p) => [p.line, p.reason])).toEqual([
      [3, 'rank "x" is not a positive integer'],
      [4, '"not-a-uri" is not a Spotify track uri or URL'],
      [5, 'rank 1 appears twice'],
    ]);
  });

  it('refuses a file that is not a chart with the expected headers in the hint', () => {
    try {
      parseChartCsv('a,b,c\n1,2,3\n', { fileName: 'regional-global-daily-2024-01-01.csv' });
      throw new Error('no error');
    } catch (error) {
      expect(error).toBeInstanceOf(ChartFormatError);
      expect((error as ChartFormatError).hint).toMatch(/rank,uri,artist_names/);
    }
  });

  it('parses quoted fields with commas, escaped quotes and newlines, with the line each record starts on', () => {
    expect(parseCsvRows('a,"b, c","say ""hi""","x\ny"\r\n1,2,3,4')).toEqual([
      { line: 1, fields: ['a', 'b, c', 'say "hi"', 'x\ny'] },
      { line: 3, fields: ['1', '2', '3', '4'] },
    ]);
  });

  it('lets a quote span lines only when the record then has the expected field count', () => {
    expect(parseCsvRows('a,b\n"x,y\n1",2\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x,y\n1', '2'] },
    ]);
    expect(parseCsvRows('a,b\n"x,y\n1,2\n3,4\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, unbalancedQuote: '"x,y' },
      { line: 3, fields: ['1', '2'] },
      { line: 4, fields: ['3', '4'] },
    ]);
  });

  it('reads region, period and date from Spotify file names', () => {
    expect(parseChartFileName('regional-au-daily-2024-02-05.csv')).toEqual({
      region: 'au',
      period: 'daily',
      date: '2024-02-05',
    });
    expect(parseChartFileName('spotifycharts-regional-global-daily-latest.csv')).toEqual({
      region: 'global',
      period: 'daily',
      date: null,
    });
    expect(parseChartFileName('chart.csv')).toBeNull();
  });

  describe('a damaged file costs only its damaged rows and says the chart is incomplete (issue #9)', () => {
    const au = 'regional-au-daily-2024-02-05.csv';
    const ranksWithout = (...missing: number[]): number[] =>
      Array.from({ length: 200 }, (_, i) => i + 1).filter((r) => !missing.includes(r));

    it('sets aside only the line with an unbalanced quote and reads on from the next line', async () => {
      const lines = (await read(au)).split('\r\n'); // the AU files end lines with CRLF
      // Line 4 is rank 3; the closing quote of its track name is lost, as in the issue.
      const damaged = lines[3]!.replace('"Beautiful Things"', '"Beautiful Things');
      lines[3] = damaged;
      const chart = parseChartCsv(lines.join('\r\n'), { fileName: au });
      expect(chart.problems).toEqual([{ line: 4, reason: 'unbalanced quote', text: damaged }]);
      expect(chart.entries.map((e) => e.position)).toEqual(ranksWithout(3));
      const clean = parseChartCsv(await read(au), { fileName: au });
      expect(chart.entries).toEqual(clean.entries.filter((e) => e.position !== 3)); // the rows after it are intact
      expect(chartCompleteness(chart)).toEqual({
        complete: false,
        expected: 200,
        held: 199,
        reason:
          'regional-au-daily 2024-02-05 holds 199 of 200 entries: line 4 was set aside (unbalanced quote).',
      });
    });

    it('keeps physical line numbers for a stray quote inside a field of a CRLF weekly file', async () => {
      const f = 'regional-global-weekly-2024-09-12.csv';
      const lines = (await read(f)).split('\r\n');
      const uriAt = lines[10]!.indexOf('spotify:track:'); // line 11: rank 10
      lines[10] = `${lines[10]!.slice(0, uriAt + 3)}"${lines[10]!.slice(uriAt + 3)}`;
      const chart = parseChartCsv(lines.join('\r\n'), { fileName: f });
      expect(chart.problems.map((p) => [p.line, p.reason])).toEqual([[11, 'unbalanced quote']]);
      expect(chart.entries.map((e) => e.position)).toEqual(ranksWithout(10));
      expect(chartCompleteness(chart)).toMatchObject({ complete: false, expected: 200, held: 199 });
    });

    it('calls a chart with a removed row incomplete although every row left is clean', async () => {
      const lines = (await read(au)).split('\r\n'); // the AU files end lines with CRLF
      lines.splice(5, 1); // line 6: rank 5
      const chart = parseChartCsv(lines.join('\r\n'), { fileName: au });
      expect(chart.problems).toEqual([]);
      expect(chart.entries).toHaveLength(199);
      expect(chartCompleteness(chart)).toEqual({
        complete: false,
        expected: 200,
        held: 199,
        reason: 'regional-au-daily 2024-02-05 holds 199 of 200 entries: rank 5 is missing.',
      });
    });

    it('calls a file cut off after rank 150 incomplete: a previous_rank shows the chart had more places', async () => {
      const lines = (await read(au)).split('\r\n'); // the AU files end lines with CRLF
      const chart = parseChartCsv(lines.slice(0, 151).join('\r\n') + '\r\n', { fileName: au });
      expect(chart.problems).toEqual([]);
      expect(chartCompleteness(chart)).toEqual({
        complete: false,
        expected: 200,
        held: 150,
        reason:
          'regional-au-daily 2024-02-05 holds 150 of 200 entries: ranks 151-200 are missing (rank 145 was at 188 on the previous chart).',
      });
    });

    it('calls a chart whose ranks jump from 49 to 200 incomplete', () => {
      const rows = [...Array.from({ length: 49 }, (_, i) => i + 1), 200].map(
        (r) => `${r},spotify:track:0yLdNVWF3Srea0uzk55zFn,A,Song,L,1,1,1,100`,
      );
      const text = [
        'rank,uri,artist_names,track_name,source,peak_rank,previous_rank,days_on_chart,streams',
        ...rows,
      ];
      const chart = parseChartCsv(text.join('\n'), { fileName: 'regional-global-daily-2024-01-01.csv' });
      expect(chartCompleteness(chart)).toEqual({
        complete: false,
        expected: 200,
        held: 50,
        reason: 'regional-global-daily 2024-01-01 holds 50 of 200 entries: ranks 50-199 are missing.',
      });
    });

    it('finds every real chart in real-data complete with 200 entries: daily, weekly and the older format', async () => {
      const files = await readdir(chartsDir);
      expect(files.length).toBeGreaterThanOrEqual(20);
      for (const f of files) {
        const chart = parseChartCsv(await read(f), {
          fileName: f,
          ...(f.includes('latest') ? { date: '2020-01-15' } : {}),
        });
        expect([f, chartCompleteness(chart)]).toEqual([f, { complete: true, expected: 200, held: 200 }]);
      }
    });

    it('finds a clean 3-row file complete: ranks 1..3 without damage prove the size of the chart', () => {
      const text =
        'rank,uri,artist_names,track_name,source,peak_rank,previous_rank,days_on_chart,streams\n' +
        '1,spotify:track:0yLdNVWF3Srea0uzk55zFn,A,Song,L,1,1,1,100\n' +
        '2,spotify:track:1Qrg8KqiBpW07V7PNxwwwL,B,Song,L,2,-1,1,90\n' +
        '3,spotify:track:2dHHgzDwk4BJdRwy9uXhTO,C,Song,L,3,2,1,80\n';
      const chart = parseChartCsv(text, { fileName: 'regional-global-daily-2024-01-01.csv' });
      expect(chartCompleteness(chart)).toEqual({ complete: true, expected: 3, held: 3 });
    });

    it('still reads a quoted line break (RFC 4180) and counts the lines after it as the file does', () => {
      const text =
        'rank,uri,artist_names,track_name,source,peak_rank,previous_rank,days_on_chart,streams\n' +
        '1,spotify:track:0yLdNVWF3Srea0uzk55zFn,A,"Two\nLines",L,1,1,1,100\n' +
        'x,spotify:track:1Qrg8KqiBpW07V7PNxwwwL,B,Song,L,2,-1,1,90\n';
      const chart = parseChartCsv(text, { fileName: 'regional-global-daily-2024-01-01.csv' });
      expect(chart.entries[0]?.trackName).toBe('Two\nLines');
      expect(chart.problems.map((p) => [p.line, p.reason])).toEqual([
        [4, 'rank "x" is not a positive integer'],
      ]);
    });

    it('refuses a text larger than MAX_CHART_CSV_CHARS before parsing it', () => {
      const header =
        'rank,uri,artist_names,track_name,source,peak_rank,previous_rank,days_on_chart,streams\n';
      const row = '1,spotify:track:0yLdNVWF3Srea0uzk55zFn,A,Song,L,1,1,1,100\n';
      const text = header + row.repeat(Math.ceil(MAX_CHART_CSV_CHARS / row.length));
      expect(text.length).toBeGreaterThan(MAX_CHART_CSV_CHARS);
      const error = catchError(() =>
        parseChartCsv(text, { fileName: 'regional-global-daily-2024-01-01.csv' }),
      );
      expect(error).toBeInstanceOf(ChartFormatError);
      expect(error.message).toMatch(
        /^regional-global-daily-2024-01-01\.csv is 16\.0 MiB; .* at most 16 MiB is read\.$/,
      );
      expect(error.hint).toMatch(/one chart per file/i);
    });

    it('refuses a line longer than MAX_CSV_LINE_CHARS, naming the line, also for a text without line breaks', () => {
      const header =
        'rank,uri,artist_names,track_name,source,peak_rank,previous_rank,days_on_chart,streams\n';
      const longRow = `1,spotify:track:0yLdNVWF3Srea0uzk55zFn,A,"${'a'.repeat(MAX_CSV_LINE_CHARS)}",L,1,1,1,100\n`;
      const f = 'regional-global-daily-2024-01-01.csv';
      const inRow = catchError(() => parseChartCsv(header + longRow, { fileName: f }));
      expect(inRow).toBeInstanceOf(ChartFormatError);
      expect(inRow.message).toBe(
        `${f} line 2 is longer than ${MAX_CSV_LINE_CHARS} characters: it is not a Spotify Charts CSV row (one short line per entry).`,
      );
      expect(inRow.hint).toMatch(/line breaks/);
      const noBreaks = catchError(() =>
        parseChartCsv(header.trim() + ','.repeat(1024 * 1024), { fileName: f }),
      );
      expect(noBreaks).toBeInstanceOf(ChartFormatError);
      expect(noBreaks.message).toMatch(/ line 1 is longer than/);
    });
  });
});

function catchError(run: () => unknown): ChartFormatError {
  try {
    run();
  } catch (error) {
    return error as ChartFormatError;
  }
  throw new Error('expected an error');
}
