// The explorer's ports: accounts (AuthProvider: local here, Cognito on AWS), and the state it keeps (sessions,
// sign-in throttling, saved queries, the audit log). The web app takes them as arguments, like the pipeline's core.
import type { Clock, Storage } from '#functions/ports.js';

export type Role = 'viewer' | 'editor';
export const ROLES: readonly Role[] = ['viewer', 'editor'];

export interface Account {
  readonly id: string;
  /** Lower-cased and trimmed: one account per mailbox, however it is typed. */
  readonly email: string;
  readonly role: Role;
  readonly createdAt: string;
}

/** Why a sign-up was refused, in words a user may see (they never say whether another account exists). */
export type SignUpRefusal = 'invite-only' | 'taken' | 'weak-password';

export interface AuthProvider {
  /**
   * Creates the account: role viewer, or the role of its invitation; the first account of an empty store is an
   * editor, so that someone can grant roles. With `inviteOnly`, only invited e-mails may sign up.
   */
  signUp(
    email: string,
    password: string,
    options: { readonly inviteOnly: boolean },
  ): Promise<Account | { readonly refused: SignUpRefusal; readonly why: string }>;
  /**
   * The account when the password is right, else undefined; it takes as long for an unknown e-mail as for a wrong
   * password, so the answer's timing does not tell which e-mails exist.
   */
  authenticate(email: string, password: string): Promise<Account | undefined>;
  account(id: string): Promise<Account | undefined>;
  list(): Promise<readonly Account[]>;
  setRole(email: string, role: Role): Promise<Account | undefined>;
  /** Deletes the account; its sessions end with it (the caller ends them through the SessionStore). */
  delete(email: string): Promise<Account | undefined>;
  /** Lets an e-mail sign up while sign-up is invite-only, with the role it will get. */
  invite(email: string, role: Role): Promise<void>;
}

export interface StoredSession {
  /** SHA-256 of the cookie's token: a copy of the store does not let anyone sign in. */
  readonly tokenHash: string;
  readonly accountId: string;
  /** The per-session CSRF token, sent back in forms and the x-csrf-token header. */
  readonly csrfToken: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
}

export interface SessionStore {
  create(session: StoredSession): Promise<void>;
  find(tokenHash: string): Promise<StoredSession | undefined>;
  touch(tokenHash: string, lastSeenAt: number): Promise<void>;
  delete(tokenHash: string): Promise<void>;
  deleteForAccount(accountId: string): Promise<void>;
}

export interface ThrottleStore {
  /** Failures recorded for `key` since `since` (ms), and the time of the last one. */
  failures(
    key: string,
    since: number,
  ): Promise<{ readonly count: number; readonly last: number | undefined }>;
  recordFailure(key: string, at: number): Promise<void>;
  clear(key: string): Promise<void>;
}

export interface AuditEvent {
  readonly at: string;
  readonly kind: 'sign-up' | 'sign-in' | 'sign-in-failed' | 'sign-out' | 'upload' | 'role';
  readonly accountId?: string;
  readonly email?: string;
  readonly client?: string;
  readonly detail?: string;
}

export interface AuditLog {
  record(event: AuditEvent): Promise<void>;
  recent(limit: number): Promise<readonly AuditEvent[]>;
}

export interface SavedQuery {
  readonly id: string;
  readonly ownerId: string;
  readonly name: string;
  readonly sql: string;
  readonly shared: boolean;
  readonly updatedAt: string;
}

export interface SavedQueryStore {
  /** The user's own queries and the shared ones, newest first. */
  visibleTo(accountId: string): Promise<readonly SavedQuery[]>;
  get(id: string): Promise<SavedQuery | undefined>;
  save(query: SavedQuery): Promise<void>;
  delete(id: string): Promise<void>;
}

/** Everything the explorer needs, passed in: the CLI's `serve` builds it from local adapters. */
export interface ExplorerDeps {
  readonly auth: AuthProvider;
  readonly sessions: SessionStore;
  readonly throttle: ThrottleStore;
  readonly audit: AuditLog;
  readonly queries: SavedQueryStore;
  readonly clock: Clock;
  readonly lake: ExplorerLake;
  /** The lake's storage: uploads go to its inbox. */
  readonly storage: Storage;
  readonly uploads: ChartUploads;
  readonly settings: ExplorerSettings;
}

export interface ExplorerSettings {
  /** Sign-up only for invited e-mails (`spotify-etl users invite`). */
  readonly inviteOnly: boolean;
  /** Cookies get Secure (and the __Host- prefix): the app is served over HTTPS. */
  readonly secureCookies: boolean;
  /** The client's address comes from X-Forwarded-For (behind CloudFront); locally the socket's address is used. */
  readonly trustProxy: boolean;
}

export interface SandboxLimits {
  readonly timeoutMs: number;
  readonly maxRows: number;
}

export interface SandboxedResult {
  readonly columns: readonly string[];
  readonly rows: readonly Record<string, unknown>[];
  /** More rows existed than maxRows. */
  readonly truncated: boolean;
  readonly elapsedMs: number;
}

/** The lake as the explorer reads it: DuckDB over the folder locally, Athena on AWS. */
export interface ExplorerLake {
  /** The app's own queries (the pages'), built with sqlString-escaped values. */
  query(sql: string): Promise<{ readonly rows: readonly Record<string, unknown>[] }>;
  /**
   * A user's SQL: one read-only statement (SELECT or WITH … SELECT), no file or network access, interrupted after
   * timeoutMs, at most maxRows rows. Refusals and failures are EtlErrors whose message a user may read.
   */
  sandboxed(sql: string, limits: SandboxLimits): Promise<SandboxedResult>;
  /** A token that changes when the lake's tables change (new or replaced files): the search index rebuilds then. */
  version(): Promise<string>;
}

/** What became of an uploaded chart: the run's summary for it, what was set aside included. */
export interface UploadSummary {
  readonly fileName: string;
  readonly chartId: string;
  readonly date: string;
  /** Chart entries read from the file, and raw records delivered of them. */
  readonly entries: number;
  readonly delivered: number;
  /** Rows of the file that could not become chart entries, with their line and reason. */
  readonly setAside: readonly { readonly line: number; readonly reason: string; readonly text: string }[];
  /** Song rows the transformer wrote, and lines it rejected (kept under raw_data/rejected/ with reasons). */
  readonly rowsWritten: number;
  readonly rejectedLines: number;
  readonly rejected: readonly { readonly line: number; readonly reason: string }[];
  readonly complete: boolean;
  /** Why the chart is incomplete, or why the run did not finish; absent when complete. */
  readonly problem?: string;
  readonly enrichment: string;
  /** The run's notes: no Spotify credentials, other inbox files extracted with it. */
  readonly notes: readonly string[];
}

/**
 * Uploaded Spotify Charts CSVs: into the lake's inbox and through the pipeline's extract → transform path (locally
 * under the lake lock, as `spotify-etl run --source charts-csv`; on AWS the inbox's bucket event). The name and the
 * bytes were checked by the caller (uploads.ts).
 */
export interface ChartUploads {
  submit(fileName: string, bytes: Uint8Array, account: Account): Promise<UploadSummary>;
}
