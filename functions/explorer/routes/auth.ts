// Sign Up, Sign In, Sign Out. Sign-in failures say the same thing whether or not the e-mail has an account, take the
// same time (the provider hashes either way), and are throttled per account and per client (throttle.ts).
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import type { ExplorerEnv, ExplorerContext } from '../app.js';
import { pageContext } from '../app.js';
import { csrfField, layout, message, type Html } from '../html.js';
import { MIN_LENGTH, passwordProblem } from '../passwords.js';
import type { Account, ExplorerDeps } from '../ports.js';
import { ABSOLUTE_MS, endSession, sessionCookieName, startSession } from '../sessions.js';
import { accountKey, clientKey, recordFailure, waitBefore } from '../throttle.js';

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,63}$/;
const WRONG = 'E-mail or password is wrong.';

/** Only a path on this site: `next=//evil.example` or `next=https://…` would send a signed-in user away. */
const safeNext = (next: unknown): string =>
  typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/';

const field = (form: Record<string, unknown>, name: string): string =>
  typeof form[name] === 'string' ? (form[name] as string) : '';

function authForm(
  c: ExplorerContext,
  kind: 'signin' | 'signup',
  values: { email?: string; next?: string; error?: string; note?: string },
): Html {
  const signup = kind === 'signup';
  const title = signup ? 'Sign up' : 'Sign in';
  return layout(
    pageContext(c, 'account'),
    title,
    html`<h1>${title}</h1>
      ${message('error', values.error)} ${message('note', values.note)}
      <form class="stack" method="post" action="/${kind}">
        ${csrfField(pageContext(c))}
        <input type="hidden" name="next" value="${values.next ?? '/'}" />
        <label for="email">E-mail</label>
        <input
          id="email"
          name="email"
          type="email"
          autocomplete="username"
          required
          value="${values.email ?? ''}"
        />
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          required
          autocomplete="${signup ? 'new-password' : 'current-password'}"
          ${signup ? html`minlength="${MIN_LENGTH}" aria-describedby="password-hint"` : ''}
        />
        ${
          signup
            ? html`<p id="password-hint" class="hint">
                At least ${MIN_LENGTH} characters; any characters, spaces too. A few unrelated words work
                well.
              </p>`
            : ''
        }
        <button type="submit">${title}</button>
      </form>
      <p>
        ${
          signup
            ? html`Have an account? <a href="/signin">Sign in</a>`
            : html`No account yet? <a href="/signup">Sign up</a>`
        }
      </p>`,
  );
}

async function signedIn(
  c: ExplorerContext,
  deps: ExplorerDeps,
  account: Account,
  next: string,
): Promise<Response> {
  // A new session id at every sign-in: a session id planted before sign-in is worth nothing after it.
  const cookieName = sessionCookieName(deps.settings.secureCookies);
  await endSession(deps.sessions, getCookie(c, cookieName));
  const session = await startSession(deps.sessions, account.id, deps.clock);
  setCookie(c, cookieName, session.token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: deps.settings.secureCookies,
    path: '/',
    maxAge: Math.floor(ABSOLUTE_MS / 1000),
  });
  return c.redirect(next, 303);
}

export function authRoutes(deps: ExplorerDeps): Hono<ExplorerEnv> {
  const app = new Hono<ExplorerEnv>();
  const audit = (
    c: ExplorerContext,
    kind: 'sign-up' | 'sign-in' | 'sign-in-failed' | 'sign-out',
    email?: string,
  ) =>
    deps.audit.record({
      at: deps.clock.now().toISOString(),
      kind,
      client: c.get('client'),
      ...(c.get('account') ? { accountId: c.get('account')?.id } : {}),
      ...(email ? { email } : {}),
    });

  app.get('/signin', (c) => c.html(authForm(c, 'signin', { next: safeNext(c.req.query('next')) })));
  app.get('/signup', (c) =>
    c.html(
      authForm(c, 'signup', {
        ...(deps.settings.inviteOnly
          ? { note: 'Sign-up is by invitation: use the e-mail you were invited with.' }
          : {}),
      }),
    ),
  );

  app.post('/signin', async (c) => {
    const form = await c.req.parseBody();
    const email = field(form, 'email').trim().toLowerCase();
    const next = safeNext(form.next);
    const keys = [accountKey(email), clientKey(c.get('client'))];
    const wait = await waitBefore(deps.throttle, keys, deps.clock);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      c.header('retry-after', String(seconds));
      return c.html(
        authForm(c, 'signin', { email, next, error: `Too many attempts: try again in ${seconds} s.` }),
        429,
      );
    }
    const account = await deps.auth.authenticate(email, field(form, 'password'));
    if (!account) {
      await recordFailure(deps.throttle, keys, deps.clock);
      await audit(c, 'sign-in-failed', email);
      return c.html(authForm(c, 'signin', { email, next, error: WRONG }), 401);
    }
    await deps.throttle.clear(accountKey(email));
    await deps.audit.record({
      at: deps.clock.now().toISOString(),
      kind: 'sign-in',
      accountId: account.id,
      client: c.get('client'),
    });
    return signedIn(c, deps, account, next);
  });

  app.post('/signup', async (c) => {
    const form = await c.req.parseBody();
    const email = field(form, 'email').trim().toLowerCase();
    const password = field(form, 'password');
    if (!EMAIL.test(email)) {
      return c.html(
        authForm(c, 'signup', { email, error: 'Enter an e-mail address such as ana@example.com.' }),
        400,
      );
    }
    const weak = passwordProblem(password, email);
    if (weak) return c.html(authForm(c, 'signup', { email, error: weak }), 400);
    const result = await deps.auth.signUp(email, password, { inviteOnly: deps.settings.inviteOnly });
    if ('refused' in result) return c.html(authForm(c, 'signup', { email, error: result.why }), 400);
    await deps.audit.record({
      at: deps.clock.now().toISOString(),
      kind: 'sign-up',
      accountId: result.id,
      client: c.get('client'),
    });
    return signedIn(c, deps, result, '/');
  });

  app.post('/signout', async (c) => {
    const cookieName = sessionCookieName(deps.settings.secureCookies);
    await audit(c, 'sign-out');
    await endSession(deps.sessions, getCookie(c, cookieName));
    deleteCookie(c, cookieName, { path: '/', secure: deps.settings.secureCookies });
    return c.redirect('/', 303);
  });
  return app;
}
