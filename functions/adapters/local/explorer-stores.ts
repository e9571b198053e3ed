// The explorer's ports on the local state file (explorer-state.ts): accounts with scrypt hashes, sessions,
// throttling, the audit log and saved queries. The same contract tests run the Cognito adapter on AWS.
import { randomUUID } from 'node:crypto';
import type {
  Account,
  AuditEvent,
  AuditLog,
  AuthProvider,
  Role,
  SavedQuery,
  SavedQueryStore,
  SessionStore,
  SignUpRefusal,
  StoredSession,
  ThrottleStore,
} from '#functions/explorer/ports.js';
import {
  hashPassword,
  verifyPassword,
  type ScryptCost,
  SCRYPT_DEFAULTS,
} from '#functions/explorer/passwords.js';
import type { Clock } from '#functions/ports.js';
import type { ExplorerState, StateRow } from './explorer-state.js';

const text = (v: unknown): string => String(v ?? '');
const num = (v: unknown): number => Number(v);
const normalEmail = (email: string): string => email.trim().toLowerCase();

const toAccount = (r: StateRow): Account => ({
  id: text(r.id),
  email: text(r.email),
  role: text(r.role) as Role,
  createdAt: text(r.created_at),
});

export class LocalAccounts implements AuthProvider {
  /** A hash of nothing anyone knows: an unknown e-mail is checked against it, so it takes as long as a wrong password. */
  private readonly decoy: Promise<string>;

  constructor(
    private readonly state: ExplorerState,
    private readonly clock: Clock,
    private readonly cost: ScryptCost = SCRYPT_DEFAULTS,
  ) {
    this.decoy = hashPassword(randomUUID(), cost);
  }

  async signUp(
    email: string,
    password: string,
    options: { readonly inviteOnly: boolean },
  ): Promise<Account | { readonly refused: SignUpRefusal; readonly why: string }> {
    const address = normalEmail(email);
    const [invitation] = await this.state.all('SELECT role FROM invitations WHERE email = ?', [address]);
    if (options.inviteOnly && !invitation) {
      return { refused: 'invite-only', why: 'Sign-up is by invitation only, and this e-mail has none.' };
    }
    const [{ n } = { n: 0 }] = await this.state.all('SELECT count(*) AS n FROM accounts');
    const role: Role = num(n) === 0 ? 'editor' : ((invitation?.role as Role | undefined) ?? 'viewer');
    const hash = await hashPassword(password, this.cost);
    const account = { id: randomUUID(), email: address, role, createdAt: this.clock.now().toISOString() };
    try {
      await this.state.run('INSERT INTO accounts VALUES (?, ?, ?, ?, ?)', [
        account.id,
        address,
        hash,
        role,
        account.createdAt,
      ]);
    } catch {
      // The unique e-mail: locally there is no mail to verify with, so this is said; Cognito verifies by mail.
      return { refused: 'taken', why: 'An account with this e-mail exists: sign in instead.' };
    }
    await this.state.run('DELETE FROM invitations WHERE email = ?', [address]);
    return account;
  }

  /** The stored row of the account with this e-mail (as typed: it is normalised here). */
  private async rowOf(email: string): Promise<StateRow | undefined> {
    const [row] = await this.state.all('SELECT * FROM accounts WHERE email = ?', [normalEmail(email)]);
    return row;
  }

  async authenticate(email: string, password: string): Promise<Account | undefined> {
    const row = await this.rowOf(email);
    const ok = await verifyPassword(password, row ? text(row.password_hash) : await this.decoy);
    return row && ok ? toAccount(row) : undefined;
  }

  async account(id: string): Promise<Account | undefined> {
    const [row] = await this.state.all('SELECT * FROM accounts WHERE id = ?', [id]);
    return row ? toAccount(row) : undefined;
  }

  async list(): Promise<readonly Account[]> {
    return (await this.state.all('SELECT * FROM accounts ORDER BY created_at, email')).map(toAccount);
  }

  async setRole(email: string, role: Role): Promise<Account | undefined> {
    await this.state.run('UPDATE accounts SET role = ? WHERE email = ?', [role, normalEmail(email)]);
    const row = await this.rowOf(email);
    return row ? toAccount(row) : undefined;
  }

  async delete(email: string): Promise<Account | undefined> {
    const row = await this.rowOf(email);
    if (!row) return undefined;
    await this.state.run('DELETE FROM accounts WHERE id = ?', [text(row.id)]);
    return toAccount(row);
  }

  async invite(email: string, role: Role): Promise<void> {
    await this.state.run('INSERT OR REPLACE INTO invitations VALUES (?, ?, ?)', [
      normalEmail(email),
      role,
      this.clock.now().toISOString(),
    ]);
  }
}

export class StateSessions implements SessionStore {
  constructor(private readonly state: ExplorerState) {}

  async create(s: StoredSession): Promise<void> {
    await this.state.run('INSERT INTO sessions VALUES (?, ?, ?, ?, ?)', [
      s.tokenHash,
      s.accountId,
      s.csrfToken,
      s.createdAt,
      s.lastSeenAt,
    ]);
  }

  async find(tokenHash: string): Promise<StoredSession | undefined> {
    const [r] = await this.state.all('SELECT * FROM sessions WHERE token_hash = ?', [tokenHash]);
    return r
      ? {
          tokenHash: text(r.token_hash),
          accountId: text(r.account_id),
          csrfToken: text(r.csrf_token),
          createdAt: num(r.created_at),
          lastSeenAt: num(r.last_seen_at),
        }
      : undefined;
  }

  async touch(tokenHash: string, lastSeenAt: number): Promise<void> {
    await this.state.run('UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?', [
      lastSeenAt,
      tokenHash,
    ]);
  }

  async delete(tokenHash: string): Promise<void> {
    await this.state.run('DELETE FROM sessions WHERE token_hash = ?', [tokenHash]);
  }

  async deleteForAccount(accountId: string): Promise<void> {
    await this.state.run('DELETE FROM sessions WHERE account_id = ?', [accountId]);
  }
}

export class StateThrottle implements ThrottleStore {
  constructor(private readonly state: ExplorerState) {}

  async failures(
    key: string,
    since: number,
  ): Promise<{ readonly count: number; readonly last: number | undefined }> {
    const [r] = await this.state.all(
      'SELECT count(*) AS n, max(failed_at) AS last FROM throttle WHERE key = ? AND failed_at >= ?',
      [key, since],
    );
    return {
      count: num(r?.n ?? 0),
      last: r?.last === null || r?.last === undefined ? undefined : num(r.last),
    };
  }

  async recordFailure(key: string, at: number): Promise<void> {
    await this.state.run('INSERT INTO throttle VALUES (?, ?)', [key, at]);
    // Old failures count for nothing: keep the table small.
    await this.state.run('DELETE FROM throttle WHERE key = ? AND failed_at < ?', [
      key,
      at - 24 * 60 * 60_000,
    ]);
  }

  async clear(key: string): Promise<void> {
    await this.state.run('DELETE FROM throttle WHERE key = ?', [key]);
  }
}

export class StateAudit implements AuditLog {
  constructor(private readonly state: ExplorerState) {}

  async record(e: AuditEvent): Promise<void> {
    await this.state.run('INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?)', [
      e.at,
      e.kind,
      e.accountId ?? null,
      e.email ?? null,
      e.client ?? null,
      e.detail ?? null,
    ]);
  }

  async recent(limit: number): Promise<readonly AuditEvent[]> {
    const rows = await this.state.all('SELECT * FROM audit ORDER BY happened_at DESC LIMIT ?', [limit]);
    return rows.map((r) => ({
      at: text(r.happened_at),
      kind: text(r.kind) as AuditEvent['kind'],
      ...(r.account_id === null ? {} : { accountId: text(r.account_id) }),
      ...(r.email === null ? {} : { email: text(r.email) }),
      ...(r.client === null ? {} : { client: text(r.client) }),
      ...(r.detail === null ? {} : { detail: text(r.detail) }),
    }));
  }
}

const toQuery = (r: StateRow): SavedQuery => ({
  id: text(r.id),
  ownerId: text(r.owner_id),
  name: text(r.name),
  sql: text(r.sql),
  shared: r.shared === true,
  updatedAt: text(r.updated_at),
});

export class StateSavedQueries implements SavedQueryStore {
  constructor(private readonly state: ExplorerState) {}

  async visibleTo(accountId: string): Promise<readonly SavedQuery[]> {
    const rows = await this.state.all(
      'SELECT * FROM saved_queries WHERE owner_id = ? OR shared ORDER BY updated_at DESC',
      [accountId],
    );
    return rows.map(toQuery);
  }

  async get(id: string): Promise<SavedQuery | undefined> {
    const [r] = await this.state.all('SELECT * FROM saved_queries WHERE id = ?', [id]);
    return r ? toQuery(r) : undefined;
  }

  async save(q: SavedQuery): Promise<void> {
    await this.state.run('INSERT OR REPLACE INTO saved_queries VALUES (?, ?, ?, ?, ?, ?)', [
      q.id,
      q.ownerId,
      q.name,
      q.sql,
      q.shared,
      q.updatedAt,
    ]);
  }

  async delete(id: string): Promise<void> {
    await this.state.run('DELETE FROM saved_queries WHERE id = ?', [id]);
  }
}
