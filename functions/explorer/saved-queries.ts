// Saved queries: who may see and change one, and what a valid one holds. A query is its owner's; a shared one is
// open to every signed-in user at /q/:id. Someone else's private query is answered as missing (404), never as
// forbidden, so that its id does not tell that it exists.
import { randomUUID } from 'node:crypto';
import type { Clock } from '#functions/ports.js';
import type { Account, SavedQuery, SavedQueryStore } from './ports.js';
import { SQL_LIMITS } from './sql-run.js';

export const MAX_NAME_CHARS = 100;

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface SavedQueryInput {
  readonly name: string;
  readonly sql: string;
  readonly shared: boolean;
}

/** What is wrong with a query to save, in words for its author; undefined when it can be saved. */
export function savedQueryProblem(input: SavedQueryInput): string | undefined {
  if (input.name.trim() === '') return 'Give the query a name.';
  if (input.name.trim().length > MAX_NAME_CHARS) return `A name has at most ${MAX_NAME_CHARS} characters.`;
  if (input.sql.trim() === '') return 'There is no SQL to save.';
  if (input.sql.length > SQL_LIMITS.maxSqlChars) {
    return `The SQL is longer than ${SQL_LIMITS.maxSqlChars.toLocaleString('en')} characters.`;
  }
  return undefined;
}

export const canSee = (query: SavedQuery, account: Account): boolean =>
  query.shared || query.ownerId === account.id;

export const isOwner = (query: SavedQuery, account: Account): boolean => query.ownerId === account.id;

/** The query when this account may open it; undefined for a malformed id, a missing or a private one of another. */
export async function openQuery(
  store: SavedQueryStore,
  id: string,
  account: Account,
): Promise<SavedQuery | undefined> {
  if (!ID.test(id)) return undefined;
  const query = await store.get(id);
  return query && canSee(query, account) ? query : undefined;
}

export function newSavedQuery(input: SavedQueryInput, account: Account, clock: Clock): SavedQuery {
  return {
    id: randomUUID(),
    ownerId: account.id,
    name: input.name.trim(),
    sql: input.sql,
    shared: input.shared,
    updatedAt: clock.now().toISOString(),
  };
}

export const editedSavedQuery = (query: SavedQuery, input: SavedQueryInput, clock: Clock): SavedQuery => ({
  ...query,
  name: input.name.trim(),
  sql: input.sql,
  shared: input.shared,
  updatedAt: clock.now().toISOString(),
});
