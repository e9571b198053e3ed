// Sign Up, Sign In, Sign Out and the session rules, through the explorer's HTTP interface on its real local state:
// cookies, CSRF, throttling, expiry, and answers that do not tell which e-mails have accounts.
import { LocalAccounts } from '#functions/adapters/local/explorer-stores.js';
import {
  hashPassword,
  passwordProblem,
  SCRYPT_DEFAULTS,
  verifyPassword,
} from '#functions/explorer/passwords.js';
import { ABSOLUTE_MS, IDLE_MS } from '#functions/explorer/sessions.js';
import { BODY_BYTES, UPLOAD_BODY_BYTES } from '#functions/explorer/app.js';
import { FREE_FAILURES, MAX_DELAY_MS, delayAfter } from '#functions/explorer/throttle.js';
import { GOOD_PASSWORD, ORIGIN, TestBrowser, testExplorer, type TestExplorer } from '../helpers/explorer.js';

let t: TestExplorer;

beforeEach(async () => {
  t = await testExplorer();
});

afterEach(async () => {
  await t.close();
});

const textOf = (r: Response): Promise<string> => r.text();

describe('sign up', () => {
  it('creates the account, signs it in with an HttpOnly SameSite cookie, and makes the first account an editor', async () => {
    const ana = new TestBrowser(t.app);
    const response = await ana.signUp('Ana@Example.com');
    expect(response.status).toBe(303);
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    const home = await textOf(await ana.get('/'));
    expect(home).toContain('ana@example.com (editor)');

    const ben = new TestBrowser(t.app);
    await ben.signUp('ben@example.com');
    expect(await textOf(await ben.get('/'))).toContain('ben@example.com (viewer)');
    expect((await t.explorer.deps.auth.list()).map((a) => [a.email, a.role])).toEqual([
      ['ana@example.com', 'editor'],
      ['ben@example.com', 'viewer'],
    ]);
  });

  it.each([
    ['short', 'too short 1', /at least 15 characters/],
    ['common', 'passwordpassword', /too common/],
    ['a pattern', 'abcdefghijklmnop', /too common/],
    ['the e-mail', 'carmen.lopez2024!', /too common/],
    ['one character', 'zzzzzzzzzzzzzzzzzzzz', /too common/],
  ])('refuses a %s password with the reason, and creates nothing', async (_kind, password, why) => {
    const carmen = new TestBrowser(t.app);
    const response = await carmen.signUp('carmen.lopez@example.com', password);
    expect(response.status).toBe(400);
    expect(await textOf(response)).toMatch(why);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(await t.explorer.deps.auth.list()).toEqual([]);
  });

  it('takes any characters, spaces and accents included, and normalises them (NFKC) before hashing', async () => {
    expect(passwordProblem('mañana café señor río', 'x@example.com')).toBeUndefined();
    const composed = 'mañana café señor río';
    const decomposed = composed.normalize('NFD');
    const stored = await hashPassword(composed, { N: 1024, r: 8, p: 1 });
    await expect(verifyPassword(decomposed, stored)).resolves.toBe(true);
  });

  it('hashes with scrypt at OWASP cost by default, the parameters kept in the hash', async () => {
    const stored = await hashPassword(GOOD_PASSWORD);
    expect(stored).toMatch(
      new RegExp(`^scrypt\\$${SCRYPT_DEFAULTS.N}\\$8\\$1\\$[A-Za-z0-9_-]{22}\\$[A-Za-z0-9_-]{43}$`),
    );
    expect(SCRYPT_DEFAULTS.N).toBe(2 ** 17);
    await expect(verifyPassword(GOOD_PASSWORD, stored)).resolves.toBe(true);
    await expect(verifyPassword(`${GOOD_PASSWORD}!`, stored)).resolves.toBe(false);
  });

  it('refuses open sign-up under --invite-only, and lets an invited e-mail in with its role', async () => {
    await t.close();
    t = await testExplorer({ inviteOnly: true });
    await t.explorer.deps.auth.signUp('first@example.com', GOOD_PASSWORD, { inviteOnly: false });
    const stranger = new TestBrowser(t.app);
    const refused = await stranger.signUp('stranger@example.com');
    expect(refused.status).toBe(400);
    expect(await textOf(refused)).toContain('by invitation only');
    await t.explorer.deps.auth.invite('Guest@example.com', 'editor');
    const guest = new TestBrowser(t.app);
    expect((await guest.signUp('guest@example.com')).status).toBe(303);
    expect(await textOf(await guest.get('/'))).toContain('guest@example.com (editor)');
  });
});

describe('sign in', () => {
  beforeEach(async () => {
    await new TestBrowser(t.app).signUp('ana@example.com');
  });

  it('says the same for a wrong password and an unknown e-mail, and sets no cookie', async () => {
    const wrong = await new TestBrowser(t.app).signIn('ana@example.com', 'not the password at all');
    const unknown = await new TestBrowser(t.app).signIn('nobody@example.com', 'not the password at all');
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    const message = (html: string) => /role="alert">([^<]*)</.exec(html)?.[1];
    expect(message(await textOf(wrong))).toBe('E-mail or password is wrong.');
    expect(message(await textOf(unknown))).toBe('E-mail or password is wrong.');
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('does the same scrypt work for an unknown e-mail as for a wrong password (no timing difference by design)', async () => {
    const accounts = new LocalAccounts(t.explorer.state, t.clock, { N: 2 ** 15, r: 8, p: 1 });
    await accounts.signUp('timing@example.com', GOOD_PASSWORD, { inviteOnly: false });
    const time = async (email: string): Promise<number> => {
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        await accounts.authenticate(email, 'a wrong password here');
        runs.push(performance.now() - started);
      }
      return Math.min(...runs);
    };
    const known = await time('timing@example.com');
    const unknown = await time('unknown@example.com');
    // Both run one scrypt of the same cost: within a factor of 2 of each other, never "instant" for the unknown.
    expect(unknown / known).toBeGreaterThan(0.5);
    expect(known / unknown).toBeGreaterThan(0.5);
  });

  it('gives a new session id at sign-in: a cookie held before it is worth nothing after', async () => {
    const ana = new TestBrowser(t.app);
    await ana.signIn('ana@example.com');
    const first = ana.cookie;
    await ana.signIn('ana@example.com');
    expect(ana.cookie).not.toBe(first);
    const planted = new TestBrowser(t.app);
    planted.cookie = first;
    expect(await textOf(await planted.get('/'))).not.toContain('ana@example.com');
    expect(await textOf(await ana.get('/'))).toContain('ana@example.com');
  });

  it('returns to the page asked for, but never to another site', async () => {
    const ana = new TestBrowser(t.app);
    await ana.get('/signin?next=/sql');
    const back = await ana.post('/signin', {
      email: 'ana@example.com',
      password: GOOD_PASSWORD,
      next: '/sql',
    });
    expect(back.headers.get('location')).toBe('/sql');
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      await ana.get('/signin'); // signed in now: the form carries the session's CSRF token
      const away = await ana.post('/signin', { email: 'ana@example.com', password: GOOD_PASSWORD, next });
      expect(away.headers.get('location')).toBe('/');
    }
  });

  it('slows a guesser per account: five free failures, then doubling waits (429), and the real user gets in after', async () => {
    const guesser = new TestBrowser(t.app);
    for (let i = 0; i < FREE_FAILURES; i++) {
      expect((await guesser.signIn('ana@example.com', `guess number ${i} long enough`)).status).toBe(401);
    }
    const throttled = await guesser.signIn('ana@example.com', 'guess number five long enough');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('1');
    expect(await textOf(throttled)).toContain('Too many attempts');
    // Even the right password waits: the throttle answers before the password is judged.
    expect((await new TestBrowser(t.app).signIn('ana@example.com')).status).toBe(429);
    t.clock.advance(1000);
    const ana = new TestBrowser(t.app);
    expect((await ana.signIn('ana@example.com')).status).toBe(303);
    // A success clears the account's count.
    expect((await guesser.signIn('ana@example.com', 'one more wrong guess')).status).toBe(401);
  });

  it('caps the wait at a quarter of an hour', () => {
    expect([0, 4, 5, 6, 7, 14, 15, 40].map(delayAfter)).toEqual([
      0,
      0,
      1000,
      2000,
      4000,
      512_000,
      MAX_DELAY_MS,
      MAX_DELAY_MS,
    ]);
  });
});

describe('sessions', () => {
  let ana: TestBrowser;

  beforeEach(async () => {
    ana = new TestBrowser(t.app);
    await ana.signUp('ana@example.com');
  });

  it('signs out server-side: the old cookie no longer works even if a copy is kept', async () => {
    await ana.get('/');
    const copy = ana.cookie;
    expect((await ana.post('/signout', {})).status).toBe(303);
    expect(ana.cookie).toBeUndefined();
    const thief = new TestBrowser(t.app);
    thief.cookie = copy;
    expect(await textOf(await thief.get('/'))).not.toContain('ana@example.com');
  });

  it('ends a session idle for an hour, and any session twelve hours after sign-in', async () => {
    t.clock.advance(IDLE_MS - 60_000);
    expect(await textOf(await ana.get('/'))).toContain('ana@example.com');
    t.clock.advance(IDLE_MS - 60_000); // active just before: idle time starts again
    expect(await textOf(await ana.get('/'))).toContain('ana@example.com');
    t.clock.advance(IDLE_MS);
    expect(await textOf(await ana.get('/'))).not.toContain('ana@example.com');

    const ben = new TestBrowser(t.app);
    await ben.signUp('ben@example.com');
    for (let elapsed = 0; elapsed < ABSOLUTE_MS - 30 * 60_000; elapsed += 30 * 60_000) {
      t.clock.advance(30 * 60_000);
      expect(await textOf(await ben.get('/'))).toContain('ben@example.com');
    }
    t.clock.advance(60 * 60_000 - 1);
    expect(await textOf(await ben.get('/'))).not.toContain('ben@example.com');
  });

  it('refuses a cross-site POST, and a same-site POST without the session’s CSRF token', async () => {
    await ana.get('/');
    const crossSite = await ana.post('/signout', {}, { origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(await textOf(crossSite)).toContain('Cross-site request refused');
    const noToken = await ana.post('/signout', {}, { csrf: false });
    expect(noToken.status).toBe(403);
    const noOrigin = await t.app.request(`${ORIGIN}/signout`, {
      method: 'POST',
      headers: { cookie: ana.cookie ?? '', 'content-type': 'application/x-www-form-urlencoded' },
      body: `_csrf=${ana.csrf}`,
    });
    expect(noOrigin.status).toBe(403);
    // Still signed in: none of them did anything.
    expect(await textOf(await ana.get('/'))).toContain('ana@example.com');
  });

  it('refuses a body larger than its route takes (1 MiB; an upload 17 MiB) before reading it', async () => {
    await ana.get('/signin');
    const big = await ana.post('/signout', { filler: 'x'.repeat(BODY_BYTES) });
    expect(big.status).toBe(413);
    expect(await big.text()).toBe('The request is larger than 1 MiB.');
    const upload = await t.app.request(`${ORIGIN}/upload`, {
      method: 'POST',
      headers: {
        origin: ORIGIN,
        cookie: ana.cookie ?? '',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: `_csrf=${ana.csrf}&file=${'y'.repeat(UPLOAD_BODY_BYTES)}`,
    });
    expect(upload.status).toBe(413);
    expect(await textOf(await ana.get('/signin'))).toContain('ana@example.com'); // still signed in
  });

  it('sends the security headers: a CSP without inline scripts, no framing, no sniffing', async () => {
    const page = await ana.get('/signin');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('same-origin');
  });
});
