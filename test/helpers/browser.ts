// A real browser for the explorer's tests: Debian's Chromium driven by playwright-core (Playwright's own browser
// download does not work offline), and the explorer served on a free loopback port by the same code as `serve`.
import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { chromium, type Browser, type Page } from 'playwright-core';
import axe from 'axe-core';
import { createExplorerApp } from '#functions/explorer/app.js';
import { openLocalExplorer, type LocalExplorer } from '#functions/cli/explorer-runtime.js';
import { repoRoot } from './paths.js';
import { TEST_SCRYPT } from './explorer.js';

const INSTALL_HINT = 'Install it with `apt-get install -y chromium` (.ci/run does), or set CHROMIUM_PATH.';

/** Where Chromium is: CHROMIUM_PATH, else `chromium` on the PATH; a clear failure when there is none. */
export function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    throw new Error(`Chromium is not installed. ${INSTALL_HINT}`);
  }
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface ServedExplorer {
  readonly url: string;
  readonly explorer: LocalExplorer;
  close(): Promise<void>;
}

/** The explorer on 127.0.0.1 and a free port, over `lakeRoot`, as `spotify-etl serve` runs it. */
export async function serveExplorer(lakeRoot: string): Promise<ServedExplorer> {
  const explorer = await openLocalExplorer(lakeRoot, { scryptCost: TEST_SCRYPT });
  const app = createExplorerApp(explorer.deps);
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>(
    (resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
        resolve({ server: s, port: info.port }),
      );
    },
  );
  return {
    url: `http://127.0.0.1:${port}`,
    explorer,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await explorer.close();
    },
  };
}

export const ARTIFACTS = join(repoRoot, 'test-artifacts', 'explorer');

/** A full-page screenshot kept as a test artifact (test-artifacts/explorer/<name>.png, not committed). */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null | undefined;
  readonly help: string;
  readonly nodes: number;
}

/** axe-core's scan of the page (WCAG 2 A and AA rules); run through the DevTools protocol, so the page's CSP holds. */
export async function accessibilityViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axe.source);
  return page.evaluate(async () => {
    // Runs in the page: its globals, not Node's (this file is type-checked without the DOM library).
    const page = globalThis as unknown as { axe: typeof axe; document: Parameters<typeof axe.run>[0] };
    const result = await page.axe.run(page.document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.length,
    }));
  });
}
