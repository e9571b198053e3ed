// Transforms raw objects into partitioned rows: reads each, commits it under the lake's lock, reports the counts.
//
// Double counting rule: a chart day holds the rows of ONE extraction run — the latest (greatest run id).
//  - the same line twice in an object: the second is a duplicate and is dropped (raw-groups.ts);
//  - the same S3 event twice: the raw object is already in processed/, so the second delivery does nothing,
//    and output names derive from the raw object, so a retried object overwrites its own files;
//  - the same chart extracted twice on one day: the latest run supersedes the older ones (partition-writer.ts).
import { type LakeLock, type Logger, type Storage, unlocked } from '../ports.js';
import { CorruptObjectError } from '../errors.js';
import { PROCESSED, REJECTED, TO_PROCESS, keyExists, ndjson } from './lake.js';
import { markPending } from './pending-checks.js';
import { readRawObject, type ReadResult } from './raw-groups.js';
import { rawObjectName, rejectedName, writeGroups } from './partition-writer.js';

export interface TransformDeps {
  readonly storage: Storage;
  readonly logger: Logger;
  /**
   * Held while an object's rows are committed (list, write, supersede, move), so that concurrent transformers of
   * one lake see each other's runs. On AWS the transformer's reserved concurrency of 1 serialises them instead.
   */
  readonly lock?: LakeLock;
}

export interface ObjectReport {
  readonly key: string;
  /**
   * quarantined: the object cannot be read at all (a damaged gzip stream); it was moved to rejected/objects/
   * with a reason beside it, and no retry will change that.
   */
  readonly status: 'transformed' | 'already processed' | 'missing' | 'ignored' | 'quarantined' | 'failed';
  /** Non-empty lines read; always = rowsWritten + duplicates + rejected. */
  readonly linesIn: number;
  readonly rowsWritten: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly albumRows: number;
  readonly artistRows: number;
  readonly filesWritten: readonly string[];
  readonly rejectedKey?: string;
  readonly error?: string;
}

export interface TransformReport {
  readonly objects: readonly ObjectReport[];
  readonly linesIn: number;
  readonly rowsWritten: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly filesWritten: number;
  readonly failedObjects: readonly { readonly key: string; readonly error: string }[];
  readonly quarantinedObjects: readonly { readonly key: string; readonly reason: string }[];
}

/** The counts of an object that wrote nothing. */
const empty = {
  linesIn: 0,
  rowsWritten: 0,
  duplicates: 0,
  rejected: 0,
  albumRows: 0,
  artistRows: 0,
  filesWritten: [],
};

/**
 * A raw object read and parsed, not yet written; one that cannot be read at all (to quarantine); or the report
 * of an object there is nothing to do for.
 */
type ReadObject =
  | { readonly key: string; readonly processedKey: string; readonly read: ReadResult }
  | { readonly key: string; readonly corrupt: string }
  | { readonly report: ObjectReport };

/** The CPU half of transforming an object: read, parse, validate, split. Writes nothing. */
async function readObject(key: string, { storage }: TransformDeps): Promise<ReadObject> {
  if (!key.startsWith(TO_PROCESS)) return { report: { key, status: 'ignored', ...empty } };
  const processedKey = PROCESSED + key.slice(TO_PROCESS.length);
  const chunks = await storage.read(key);
  if (!chunks) {
    // A duplicate S3 event: the first delivery already moved the object.
    const done = await keyExists(storage, processedKey);
    return { report: { key, status: done ? 'already processed' : 'missing', ...empty } };
  }
  try {
    return { key, processedKey, read: await readRawObject(key, chunks) };
  } catch (error) {
    if (error instanceof CorruptObjectError) return { key, corrupt: error.message };
    throw error;
  }
}

/** Where an object that cannot be read is kept, with `<name>.reason.txt` beside it. */
export const QUARANTINE = `${REJECTED}objects/`;

/**
 * The I/O half: write the rows and the rejected lines, then move the raw object to processed/; all of it under
 * the lake's lock, after checking that no other transformer took the object while it was read.
 */
async function writeObject(object: ReadObject, deps: TransformDeps): Promise<ObjectReport> {
  if ('report' in object) return object.report;
  return (deps.lock ?? unlocked).hold(async () => {
    if (!(await keyExists(deps.storage, object.key))) {
      return { key: object.key, status: 'already processed', ...empty };
    }
    return 'corrupt' in object ? quarantine(object.key, object.corrupt, deps) : commitObject(object, deps);
  });
}

/** Moves an unreadable object out of to_process/ with its reason: a retry would fail the same way forever. */
async function quarantine(key: string, reason: string, deps: TransformDeps): Promise<ObjectReport> {
  const target = `${QUARANTINE}${rawObjectName(key)}${key.endsWith('.gz') ? '.gz' : ''}`;
  await deps.storage.put(`${target}.reason.txt`, `${key}: ${reason}\n`, 'text/plain');
  await deps.storage.move(key, target);
  deps.logger.error('raw object quarantined', { key, quarantinedKey: target, reason });
  return { key, status: 'quarantined', ...empty, rejectedKey: target, error: reason };
}

async function commitObject(
  object: { readonly key: string; readonly processedKey: string; readonly read: ReadResult },
  deps: TransformDeps,
): Promise<ObjectReport> {
  const { storage } = deps;
  const { key, processedKey } = object;
  const { groups, rejectedLines, linesIn, duplicates: duplicateLines } = object.read;
  const { rowsWritten, duplicates, albumRows, artistRows, filesWritten, dates } = await writeGroups(
    key,
    groups,
    storage,
  );
  // Before the move: a crash in between retries the object, which writes the same markers again.
  await markPending(storage, dates, key);
  let rejectedKey: string | undefined;
  if (rejectedLines.length > 0) {
    rejectedKey = rejectedName(key);
    await storage.put(rejectedKey, ndjson(rejectedLines), 'application/x-ndjson');
    deps.logger.warn('lines rejected', {
      key,
      rejected: rejectedLines.length,
      rejectedKey,
      first: rejectedLines[0]?.reason,
    });
  }
  await storage.move(key, processedKey);
  return {
    key,
    status: 'transformed',
    linesIn,
    rowsWritten,
    duplicates: duplicateLines + duplicates,
    rejected: rejectedLines.length,
    albumRows,
    artistRows,
    filesWritten,
    ...(rejectedKey ? { rejectedKey } : {}),
  };
}

export async function transformObject(key: string, deps: TransformDeps): Promise<ObjectReport> {
  return writeObject(await readObject(key, deps), deps);
}

/** The totals of a set of object reports (one event, or every event of a local run). */
export function summarize(objects: readonly ObjectReport[]): TransformReport {
  const sum = (f: (o: ObjectReport) => number): number => objects.reduce((n, o) => n + f(o), 0);
  return {
    objects,
    linesIn: sum((o) => o.linesIn),
    rowsWritten: sum((o) => o.rowsWritten),
    duplicates: sum((o) => o.duplicates),
    rejected: sum((o) => o.rejected),
    filesWritten: sum((o) => o.filesWritten.length),
    failedObjects: objects
      .filter((o) => o.status === 'failed')
      .map((o) => ({ key: o.key, error: o.error ?? '' })),
    quarantinedObjects: objects
      .filter((o) => o.status === 'quarantined')
      .map((o) => ({ key: o.key, reason: o.error ?? '' })),
  };
}

/**
 * Transforms each object; one object's failure does not stop the others, and is reported. Objects are written
 * one after another, in order, but the next object is read and parsed (CPU) while this one is written (I/O).
 */
export async function transformObjects(
  keys: readonly string[],
  deps: TransformDeps,
): Promise<TransformReport> {
  type Settled = { readonly object: ReadObject } | { readonly error: unknown };
  const read = (key: string): Promise<Settled> =>
    readObject(key, deps).then(
      (object) => ({ object }),
      (error: unknown) => ({ error }),
    );
  const failed = (key: string, error: unknown): ObjectReport => {
    const message = error instanceof Error ? error.message : String(error);
    deps.logger.error('transform failed', { key, error: message });
    return { key, status: 'failed', ...empty, error: message };
  };
  const objects: ObjectReport[] = [];
  let next = keys.length > 0 ? read(keys[0] as string) : undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const current = await (next ?? read(key));
    // The same key twice in a row (a duplicate event record) is read only after the first copy is written,
    // so that it finds the object already processed.
    const following = keys[i + 1];
    next = following !== undefined && following !== key ? read(following) : undefined;
    if ('error' in current) {
      // Another transformer of the lake may have moved the object while it was read: then it is done, not failed.
      const waiting = await (deps.lock ?? unlocked)
        .hold(() => keyExists(deps.storage, key))
        .catch(() => true);
      objects.push(waiting ? failed(key, current.error) : { key, status: 'already processed', ...empty });
      continue;
    }
    try {
      objects.push(await writeObject(current.object, deps));
    } catch (error) {
      objects.push(failed(key, error));
    }
  }
  return summarize(objects);
}
