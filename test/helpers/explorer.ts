// The explorer in-process for tests: its Hono app on a temporary lake's local state, with a fake clock and a
// cheaper scrypt (the default cost is tested once, in explorer-auth.test.ts), and a tiny browser: cookies and the
// CSRF token carried from page to page, as a browser and the app's own forms do.
import { createExplorerApp } from '#functions/explorer/app.js';
import type { ExplorerSettings } from '#functions/explorer/ports.js';
import { openLocalExplorer, type LocalExplorer } from '#functions/cli/explorer-runtime.js';
import { fakeClock, tempDir } from './paths.js';

export const ORIGIN = 'http://explorer.test';
export const TEST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 } as const;
export const GOOD_PASSWORD = 'harbor lantern violet seven';

export interface TestExplorer {
  readonly explorer: LocalExplorer;
  readonly app: ReturnType<typeof createExplorerApp>;
  readonly clock: ReturnType<typeof fakeClock>;
  readonly lakeRoot: string;
  close(): Promise<void>;
}

export async function testExplorer(
  settings: Partial<ExplorerSettings> = {},
  lakeRoot?: string,
): Promise<TestExplorer> {
  const root = lakeRoot ?? (await tempDir('explorer-'));
  const clock = fakeClock();
  const explorer = await openLocalExplorer(root, { settings, clock, scryptCost: TEST_SCRYPT });
  return {
    explorer,
    app: createExplorerApp(explorer.deps),
    clock,
    lakeRoot: root,
    close: () => explorer.close(),
  };
}

/** A browser of one user: keeps the session cookie and the page's CSRF token. */
export class TestBrowser {
  cookie: string | undefined;
  csrf: string | undefined;

  constructor(private readonly app: TestExplorer['app']) {}

  async get(path: string, accept = 'text/html'): Promise<Response> {
    const response = await this.app.request(`${ORIGIN}${path}`, {
      headers: { accept, ...(this.cookie ? { cookie: this.cookie } : {}) },
    });
    this.remember(response);
    const text = await response.clone().text();
    const token = /name="_csrf" value="([^"]+)"/.exec(text)?.[1];
    if (token) this.csrf = token;
    return response;
  }

  /** A form post from this site, with the CSRF token unless `csrf: false`. */
  async post(
    path: string,
    fields: Record<string, string>,
    options: { origin?: string; csrf?: boolean } = {},
  ): Promise<Response> {
    const body = new URLSearchParams({
      ...fields,
      ...(options.csrf !== false && this.csrf ? { _csrf: this.csrf } : {}),
    });
    const response = await this.app.request(`${ORIGIN}${path}`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: options.origin ?? ORIGIN,
        ...(this.cookie ? { cookie: this.cookie } : {}),
      },
    });
    this.remember(response);
    return response;
  }

  private remember(response: Response): void {
    const set = response.headers.get('set-cookie');
    if (!set) return;
    const [pair] = set.split(';');
    if (/Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(set)) this.cookie = undefined;
    else if (pair) this.cookie = pair;
  }

  async signUp(email: string, password = GOOD_PASSWORD): Promise<Response> {
    await this.get('/signup');
    return this.post('/signup', { email, password });
  }

  async signIn(email: string, password = GOOD_PASSWORD): Promise<Response> {
    await this.get('/signin');
    return this.post('/signin', { email, password });
  }
}
