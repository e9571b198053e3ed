import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  parseChartCsv,
  parseChartFileName,
  parseCsvRows,
  splitArtistNames,
} from '../../functions/core/charts-csv.js';
import { ChartFormatError } from '../../functions/errors.js';
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

  it('parses quoted fields with commas, escaped quotes and newlines', () => {
    expect(parseCsvRows('a,"b, c","say ""hi""","x\ny"\r\n1,2,3,4')).toEqual([
      ['a', 'b, c', 'say "hi"', 'x\ny'],
      ['1', '2', '3', '4'],
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
});
