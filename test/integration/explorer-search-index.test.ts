// The search index's life on a real lake: built on the first search, checked against the lake's version at most every
// CHECK_EVERY_MS of the (fake) clock, rebuilt in the background while answers come from the previous index, and
// built on an empty lake too.
import { jest } from '@jest/globals';
import { CHECK_EVERY_MS, liveSearchIndex } from '#functions/explorer/search-load.js';
import { TestBrowser, testExplorer, type TestExplorer } from '../helpers/explorer.js';
import { csvRow, runChartCsv } from '../helpers/pages-lake.js';
import { tempDir } from '../helpers/paths.js';

const CHART = 'regional-au-daily';

let t: TestExplorer;
let browser: TestBrowser;

afterEach(async () => {
  jest.restoreAllMocks();
  await liveSearchIndex(t.explorer.deps.lake, t.clock).idle();
  await t.close();
});

const names = async (q: string): Promise<string[]> => {
  const r = await browser.get(`/api/search?q=${encodeURIComponent(q)}`, 'application/json');
  return ((await r.json()) as { results: { name: string }[] }).results.map((x) => x.name);
};

it('finds a song of a new chart day once the check interval has passed, answering from the old index meanwhile', async () => {
  const lake = await tempDir('explorer-index-');
  await runChartCsv(lake, `${CHART}-2024-02-17.csv`, [
    csvRow(1, '00000000000000OldSong1', 'Oldtimer', 'Old Tune'),
  ]);
  t = await testExplorer({}, lake);
  browser = new TestBrowser(t.app);
  const live = liveSearchIndex(t.explorer.deps.lake, t.clock);
  expect(await names('old')).toEqual(['Old Tune', 'Oldtimer']);
  expect(await names('brandnew')).toEqual([]);

  await runChartCsv(lake, `${CHART}-2024-02-18.csv`, [
    csvRow(1, '00000000000000Brandnew', 'Newcomer', 'Brandnew Tune'),
    csvRow(2, '00000000000000OldSong1', 'Oldtimer', 'Old Tune', 1, 2),
  ]);

  t.clock.advance(CHECK_EVERY_MS - 1);
  await names('brandnew');
  await live.idle();
  expect(await names('brandnew')).toEqual([]); // not looked at yet: the interval has not passed

  t.clock.advance(1);
  await names('brandnew'); // starts the check and the rebuild, answered from the index at hand
  await live.idle();
  expect(await names('brandnew')).toEqual(['Brandnew Tune']);
  const day = await (await browser.get(`/day/${CHART}/2024-02-17`)).text();
  expect(day).toContain(`rel="next" href="/day/${CHART}/2024-02-18"`);
});

it('keeps answering from the previous index while a rebuild runs', async () => {
  const lake = await tempDir('explorer-index-');
  await runChartCsv(lake, `${CHART}-2024-02-17.csv`, [
    csvRow(1, '00000000000000OldSong1', 'Oldtimer', 'Old Tune'),
  ]);
  t = await testExplorer({}, lake);
  browser = new TestBrowser(t.app);
  const live = liveSearchIndex(t.explorer.deps.lake, t.clock);
  const before = await live.current();
  await runChartCsv(lake, `${CHART}-2024-02-18.csv`, [
    csvRow(1, '00000000000000Brandnew', 'Newcomer', 'Brandnew Tune'),
  ]);
  t.clock.advance(CHECK_EVERY_MS);
  expect(await live.current()).toBe(before); // the rebuild has started; the old index answers at once
  await live.idle();
  const after = await live.current();
  expect(after).not.toBe(before);
  expect(after.version).not.toBe(before.version);
  expect(after.songs.has('00000000000000Brandnew')).toBe(true);
});

it('says the lake is empty on the home and day pages, and finds nothing', async () => {
  t = await testExplorer();
  browser = new TestBrowser(t.app);
  expect(await (await browser.get('/')).text()).toContain('The lake is empty');
  expect(await (await browser.get('/day')).text()).toContain('The lake holds no chart yet');
  expect(await names('a')).toEqual([]);
  expect((await browser.get(`/day/${CHART}/2024-02-10`)).status).toBe(404);
});
