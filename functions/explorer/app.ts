// The explorer's web app (Hono): the same code runs under @hono/node-server for `spotify-etl serve` and under Hono's
// Lambda adapter on AWS. Every request passes the security headers, the session lookup and the CSRF rule here; the
// routes (auth, search and pages, SQL, upload) are in routes/.
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { authRoutes } from './routes/auth.js';
import { assetRoutes } from './routes/assets.js';
import { pagesRoutes } from './routes/pages.js';
import { sqlRoutes } from './routes/sql.js';
import { uploadRoutes } from './routes/upload.js';
import type { Account, ExplorerDeps, StoredSession } from './ports.js';
import { resumeSession, sessionCookieName } from './sessions.js';
import { layout, message, type PageContext } from './html.js';

export interface ExplorerEnv {
  Variables: {
    account: Account | undefined;
    session: StoredSession | undefined;
    /** Who is asking, for throttling and the audit log: the socket's address (or the trusted proxy's header). */
    client: string;
  };
}

export type ExplorerContext = Context<ExplorerEnv>;

/** What every page template needs about the request. */
export const pageContext = (c: ExplorerContext, current?: PageContext['current']): PageContext => ({
  account: c.get('account'),
  csrfToken: c.get('session')?.csrfToken,
  ...(current ? { current } : {}),
});

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * CSRF: a request that changes state must come from this origin (Origin, or Sec-Fetch-Site from browsers that
 * send it), and, with a session, carry the session's token (form field `_csrf` or header `x-csrf-token`).
 */
function csrf(): MiddlewareHandler<ExplorerEnv> {
  return async (c, next) => {
    if (!UNSAFE.has(c.req.method)) return next();
    const origin = c.req.header('origin');
    const site = c.req.header('sec-fetch-site');
    const sameOrigin = origin !== undefined ? origin === new URL(c.req.url).origin : site === 'same-origin';
    if (!sameOrigin) return c.text('Cross-site request refused.', 403);
    const session = c.get('session');
    if (session) {
      const type = c.req.header('content-type') ?? '';
      const form = /form/.test(type) ? await c.req.parseBody() : undefined;
      const sent = c.req.header('x-csrf-token') ?? (typeof form?._csrf === 'string' ? form._csrf : undefined);
      if (sent !== session.csrfToken)
        return c.text('The form expired or came from elsewhere: reload the page.', 403);
    }
    return next();
  };
}

function sessionLookup(deps: ExplorerDeps): MiddlewareHandler<ExplorerEnv> {
  return async (c, next) => {
    const session = await resumeSession(
      deps.sessions,
      getCookie(c, sessionCookieName(deps.settings.secureCookies)),
      deps.clock,
    );
    const account = session ? await deps.auth.account(session.accountId) : undefined;
    c.set('session', account ? session : undefined);
    c.set('account', account);
    c.set('client', clientOf(c, deps));
    return next();
  };
}

function clientOf(c: Context, deps: ExplorerDeps): string {
  if (deps.settings.trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}

/** Pages for signed-in users only: a browser is sent to sign in (and back), a script gets 401. */
export const requireAccount =
  (role?: 'editor'): MiddlewareHandler<ExplorerEnv> =>
  async (c, next) => {
    const account = c.get('account');
    if (!account) {
      if (c.req.method === 'GET' && (c.req.header('accept') ?? '').includes('text/html')) {
        return c.redirect(`/signin?next=${encodeURIComponent(new URL(c.req.url).pathname)}`, 303);
      }
      return c.json({ error: 'Sign in first.' }, 401);
    }
    if (role && account.role !== role) {
      return c.html(
        layout(pageContext(c), 'Not allowed', message('error', 'This needs the editor role.')),
        403,
      );
    }
    return next();
  };

/** A chart upload (the CSV reader's 16 MiB, plus the form around it) or, for every other route, 1 MiB. */
export const UPLOAD_BODY_BYTES = 17 * 1024 * 1024;
export const BODY_BYTES = 1024 * 1024;

function requestSizeLimit(): MiddlewareHandler<ExplorerEnv> {
  const tooLarge = (limit: number) =>
    bodyLimit({
      maxSize: limit,
      onError: (c) => c.text(`The request is larger than ${Math.round(limit / 1024 / 1024)} MiB.`, 413),
    });
  const upload = tooLarge(UPLOAD_BODY_BYTES);
  const other = tooLarge(BODY_BYTES);
  return (c, next) => (c.req.path === '/upload' ? upload(c, next) : other(c, next));
}

export function createExplorerApp(deps: ExplorerDeps): Hono<ExplorerEnv> {
  const app = new Hono<ExplorerEnv>();
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
      referrerPolicy: 'same-origin',
      strictTransportSecurity: deps.settings.secureCookies ? 'max-age=31536000' : false,
    }),
  );
  app.use(sessionLookup(deps));
  // Before csrf(), which reads form bodies: no request makes the server hold more than its route can take.
  app.use(requestSizeLimit());
  app.use(csrf());
  app.route('/', assetRoutes());
  app.get('/favicon.ico', (c) => c.body(null, 204));
  app.route('/', authRoutes(deps));
  app.route('/', pagesRoutes(deps));
  app.route('/', sqlRoutes(deps));
  app.route('/', uploadRoutes(deps));
  app.notFound((c) =>
    c.html(layout(pageContext(c), 'Not found', message('error', 'There is no such page.')), 404),
  );
  app.onError((error, c) => {
    // The message only: a stack trace is for the server's log, never for the page.
    console.error(error);
    return c.html(
      layout(pageContext(c), 'Error', message('error', 'Something went wrong on our side.')),
      500,
    );
  });
  return app;
}
