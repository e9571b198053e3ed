// Steps the explorer's browser journeys repeat (test/e2e/explorer-browser.test.ts): a user (a browser context whose
// dialogs are recorded), signing up and in through the forms, the check every page gets (axe scan and screenshot),
// typing into the SQL editor (CodeMirror, in an open shadow root), and reading what a page's plot drew.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { accessibilityViolations, screenshot } from './browser.js';
import { GOOD_PASSWORD } from './explorer.js';

export interface User {
  readonly context: BrowserContext;
  readonly page: Page;
  /** The message of every alert, confirm or prompt the page opened (each is dismissed). */
  readonly dialogs: string[];
}

export async function newUser(
  browser: Browser,
  baseURL: string,
  viewport = { width: 1024, height: 768 },
): Promise<User> {
  const context = await browser.newContext({ baseURL, viewport });
  // A step that waits longer has failed: say which one well before the test's own timeout.
  context.setDefaultTimeout(5_000);
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return { context, page, dialogs };
}

const atHome = (url: URL): boolean => url.pathname === '/';

export async function signUp(page: Page, email: string): Promise<void> {
  await page.goto('/signup');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(GOOD_PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.waitForURL(atHome);
}

export async function signIn(page: Page, email: string): Promise<void> {
  await page.goto('/signin');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(GOOD_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(atHome);
}

/** Fails on serious and critical violations, naming them; lesser ones are listed in the failure too. */
export async function expectAccessible(page: Page): Promise<void> {
  const violations = await accessibilityViolations(page);
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
}

/** What every page of a journey gets: an accessibility scan, then a screenshot kept as a test artifact. */
export async function checkPage(page: Page, name: string): Promise<void> {
  await expectAccessible(page);
  await screenshot(page, name);
}

/** The main navigation's link names. */
export const navLinks = (page: Page): Promise<string[]> =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();

/** The text beside a label of the page's figures (its <dl>). */
export const figure = (page: Page, label: string): Promise<string> =>
  page.locator(`dl.figures dt:text-is("${label}") + dd`).innerText();

/** Replaces the SQL editor's text by typing it, key by key; returns what the form's textarea then holds. */
export async function typeSql(page: Page, sql: string): Promise<string> {
  // Playwright's CSS locators pierce open shadow roots: .cm-content is CodeMirror's editable element.
  await page.locator('.cm-content').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  // One line: Enter could take a completion; closing brackets typed over the auto-inserted ones are skipped.
  await page.keyboard.type(sql);
  await page.keyboard.press('Escape'); // closes the completion list, if one is open
  return page.locator('textarea#sql').inputValue();
}

/** The result table's cells, row by row, once the result line for `rows` rows is shown. */
export async function resultRows(page: Page, rows: number): Promise<string[][]> {
  await page
    .locator('#result .result-line')
    .filter({ hasText: new RegExp(`^${rows} rows? in`) })
    .waitFor();
  return page
    .locator('#result table.result tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) =>
        Array.from(
          (tr as unknown as { cells: ArrayLike<{ textContent: string }> }).cells,
          (td) => td.textContent,
        ),
      ),
    );
}

interface Canvas {
  readonly width: number;
  readonly height: number;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
  } | null;
}

export interface DrawnPlot {
  readonly width: number;
  readonly height: number;
  /** Pixels the plot's canvas painted (not transparent): axes, grid, lines and points. */
  readonly painted: number;
  /** Points in the page's plot data (its JSON block): the non-null values of every series. */
  readonly points: number;
}

/** Waits for client/plots.ts to draw the page's plot with uPlot, and measures what it drew. */
export async function drawnPlot(page: Page): Promise<DrawnPlot> {
  await page.locator('#plot[data-drawn="true"]').waitFor();
  const canvas = page.locator('#plot .uplot canvas');
  expect(await canvas.count()).toBe(1);
  const box = await canvas.boundingBox();
  const painted = await canvas.evaluate((element) => {
    const c = element as unknown as Canvas;
    const pixels = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? [];
    let n = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) n++;
    return n;
  });
  const data = JSON.parse((await page.locator('#plot-data').textContent()) ?? '{}') as {
    series: { values: (number | null)[] }[];
  };
  const points = data.series.flatMap((s) => s.values).filter((v) => v !== null).length;
  return { width: box?.width ?? 0, height: box?.height ?? 0, painted, points };
}

/** The day before or after a YYYY-MM-DD date. */
export const shiftDay = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
