// The explorer in a real browser (Debian's Chromium through playwright-core): the journeys a user takes, an
// accessibility scan of each page (axe-core, no serious or critical violations), and a screenshot of each page kept
// under test-artifacts/explorer/.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  accessibilityViolations,
  launchChromium,
  screenshot,
  serveExplorer,
  type ServedExplorer,
} from '../helpers/browser.js';
import { GOOD_PASSWORD } from '../helpers/explorer.js';
import { tempDir } from '../helpers/paths.js';

let browser: Browser;
let served: ServedExplorer;

beforeAll(async () => {
  browser = await launchChromium();
  served = await serveExplorer(await tempDir('explorer-browser-'));
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

async function newUser(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: served.url });
  return { context, page: await context.newPage() };
}

/** Fails on serious and critical violations, naming them; lesser ones are listed in the failure too. */
async function expectAccessible(page: Page): Promise<void> {
  const violations = await accessibilityViolations(page);
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
}

describe('the explorer in Chromium', () => {
  it('sign up → sign out → wrong password (message) → sign in, every page accessible', async () => {
    const { context, page } = await newUser();
    await page.goto('/signup');
    await expectAccessible(page);
    await screenshot(page, 'sign-up');
    await page.getByLabel('E-mail').fill('ana@example.com');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Sign up' }).click();
    // The browser's own check (minlength) keeps a short password from leaving the page.
    expect(new URL(page.url()).pathname).toBe('/signup');
    await page.getByLabel('Password').fill(GOOD_PASSWORD);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForURL(`${served.url}/`);
    await expectAccessible(page);
    await screenshot(page, 'home-signed-in');
    expect(await page.textContent('header')).toContain('ana@example.com (editor)');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${served.url}/`);
    expect(await page.textContent('header')).toContain('Sign in');

    await page.getByRole('link', { name: 'Sign in' }).first().click();
    await page.getByLabel('E-mail').fill('ana@example.com');
    await page.getByLabel('Password').fill('this is not my password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByRole('alert').textContent()).toBe('E-mail or password is wrong.');
    await expectAccessible(page);
    await screenshot(page, 'sign-in-wrong-password');

    await page.getByLabel('Password').fill(GOOD_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${served.url}/`);
    expect(await page.textContent('header')).toContain('ana@example.com (editor)');
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    // The session cookie is out of reach of the page's scripts.
    expect(
      await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie),
    ).toBe('');
    await context.close();
  });
});
