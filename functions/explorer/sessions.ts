// Sessions: a random token in an HttpOnly, SameSite=Lax cookie; the store keeps only its SHA-256, with a CSRF token,
// the creation time (absolute expiry) and the last request's time (idle expiry). A new token at every sign-in.
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '#functions/ports.js';
import type { SessionStore, StoredSession } from './ports.js';

/** Idle expiry: a session unused this long ends. */
export const IDLE_MS = 60 * 60_000;
/** Absolute expiry: every session ends this long after sign-in, used or not. */
export const ABSOLUTE_MS = 12 * 60 * 60_000;
/** lastSeenAt is written at most this often, so that reading a page is not a write each time. */
const TOUCH_EVERY_MS = 60_000;

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('base64url');
const token = (): string => randomBytes(32).toString('base64url');

/** The cookie's name: `__Host-` (Secure, Path=/, no Domain) over HTTPS; a plain name on http://localhost. */
export const sessionCookieName = (secure: boolean): string => (secure ? '__Host-session' : 'session');

export interface OpenSession extends StoredSession {
  /** The cookie value (only here, right after sign-in). */
  readonly token: string;
}

export async function startSession(
  store: SessionStore,
  accountId: string,
  clock: Clock,
): Promise<OpenSession> {
  const now = clock.now().getTime();
  const value = token();
  const session = {
    tokenHash: sha256(value),
    accountId,
    csrfToken: token(),
    createdAt: now,
    lastSeenAt: now,
  };
  await store.create(session);
  return { ...session, token: value };
}

/** The session a cookie names, if it is still valid; an expired one is deleted on the way. */
export async function resumeSession(
  store: SessionStore,
  cookie: string | undefined,
  clock: Clock,
): Promise<StoredSession | undefined> {
  if (!cookie || cookie.length > 100) return undefined;
  const tokenHash = sha256(cookie);
  const session = await store.find(tokenHash);
  if (!session) return undefined;
  const now = clock.now().getTime();
  if (now - session.lastSeenAt >= IDLE_MS || now - session.createdAt >= ABSOLUTE_MS) {
    await store.delete(tokenHash);
    return undefined;
  }
  if (now - session.lastSeenAt >= TOUCH_EVERY_MS) await store.touch(tokenHash, now);
  return session;
}

export async function endSession(store: SessionStore, cookie: string | undefined): Promise<void> {
  if (cookie) await store.delete(sha256(cookie));
}
