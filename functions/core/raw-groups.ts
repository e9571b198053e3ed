// Reads a raw object's lines into rows grouped by chart day and run, setting aside the lines that are not records.
import { describeErrors, validators } from './schemas.js';
import { splitRecord } from './split.js';
import { lineBatchesOf, type Line } from './ndjson-lines.js';
import type { AlbumRow, ArtistRow, RawTrackRecord } from './record-types.js';

export interface RejectedLine {
  readonly raw_key: string;
  readonly line: number;
  readonly reason: string;
  readonly text: string;
}

/** The rows of one chart day from one extraction run, as read from one raw object. */
export interface Group {
  readonly date: string;
  readonly chartId: string;
  readonly runId: string;
  /** position → the line that gave it (a second line for a position is a duplicate or a conflict). */
  readonly lines: Map<number, string>;
  /**
   * Song rows as NDJSON lines, serialized as they are made: one flat string per row lives until the write,
   * instead of a row object and its strings, which the garbage collector would have to move.
   */
  readonly songs: string[];
  readonly songPositions: number[];
  readonly albums: Map<string, AlbumRow>;
  readonly artists: Map<string, ArtistRow>;
}

/** What reading one raw object gives: its rows grouped by chart day and run, and the lines set aside. */
export interface ReadResult {
  readonly groups: readonly Group[];
  readonly rejectedLines: readonly RejectedLine[];
  readonly linesIn: number;
  readonly duplicates: number;
}

/** A JSON escape of a UTF-16 surrogate; JSON.stringify writes one only for a lone surrogate. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
const LONE_SURROGATE = /\p{Cs}/u;

/** Whether a parsed value holds a string with a lone surrogate, which no query engine reads back. */
function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.some(hasLoneSurrogate);
  if (value && typeof value === 'object') return Object.values(value).some(hasLoneSurrogate);
  return false;
}

/**
 * Why a value is not a raw record the transformer writes (the schema, then what no query engine reads back), or
 * undefined when it is one; `line` is its JSON text. The extractor asks the same before it sends a record.
 */
export function recordProblem(value: unknown, line: string): string | undefined {
  if (!validators.rawTrackRecord(value)) {
    return `does not match schemas/raw-track-record.schema.json: ${describeErrors(validators.rawTrackRecord.errors)}`;
  }
  // The cheap test first: only a line with a surrogate escape can hold a lone surrogate.
  if (SURROGATE_ESCAPE.test(line) && hasLoneSurrogate(value)) {
    return 'holds a string with a lone UTF-16 surrogate (a \\uD800-\\uDFFF escape without its pair)';
  }
  return undefined;
}

/** JSON + schema check of one raw line: the record, or the reason it is not one. */
export function parseRawLine(
  line: string,
): { readonly record: RawTrackRecord } | { readonly reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { reason: `malformed JSON: ${(error as Error).message}` };
  }
  const reason = recordProblem(value, line);
  return reason === undefined ? { record: value as RawTrackRecord } : { reason };
}

const newGroup = (record: RawTrackRecord): Group => ({
  date: record.snapshot_date,
  chartId: record.source.id,
  runId: record.run_id,
  lines: new Map(),
  songs: [],
  songPositions: [],
  albums: new Map(),
  artists: new Map(),
});

/** What became of a valid record: its rows added, dropped as a repeat of the same line, or rejected. */
type Added = 'added' | 'duplicate' | { readonly reject: string };

/** Adds a valid record's rows to its group, unless its position is taken or it cannot be split. */
function addRecord(group: Group, record: RawTrackRecord, line: string): Added {
  const before = group.lines.get(record.position);
  if (before !== undefined) {
    if (before === line) return 'duplicate';
    return {
      reject: `position ${record.position} of ${record.source.id} on ${record.snapshot_date} already has another entry in run ${record.run_id}`,
    };
  }
  group.lines.set(record.position, line);
  const split = splitRecord(record);
  if ('reject' in split) return { reject: split.reject };
  group.songs.push(JSON.stringify(split.rows.song));
  group.songPositions.push(record.position);
  if (split.rows.album) group.albums.set(split.rows.album.album_id, split.rows.album);
  for (const a of split.rows.artists) if (!group.artists.has(a.artist_id)) group.artists.set(a.artist_id, a);
  return 'added';
}

/** Reads a raw object: throws CorruptObjectError when it cannot be read at all (a damaged gzip stream). */
export async function readRawObject(key: string, chunks: AsyncIterable<Uint8Array>): Promise<ReadResult> {
  const groups = new Map<string, Group>();
  const rejectedLines: RejectedLine[] = [];
  let linesIn = 0;
  let duplicates = 0;
  let lineNo = 0;
  let last: Group | undefined; // lines come in runs of one chart day: most lines reuse the previous line's group
  const groupOf = (record: RawTrackRecord): Group => {
    if (
      last?.date === record.snapshot_date &&
      last.chartId === record.source.id &&
      last.runId === record.run_id
    )
      return last;
    const groupKey = `${record.snapshot_date}|${record.source.id}|${record.run_id}`;
    let group = groups.get(groupKey);
    if (!group) {
      group = newGroup(record);
      groups.set(groupKey, group);
    }
    last = group;
    return group;
  };
  const accept = (raw: Line): void => {
    lineNo++;
    if (typeof raw !== 'string') {
      linesIn++;
      rejectedLines.push({ raw_key: key, line: lineNo, reason: raw.reason, text: raw.text });
      return;
    }
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    // The cheap test first: a record line starts with '{', so only other lines pay for trim().
    if (line.charCodeAt(0) !== 0x7b && line.trim() === '') return;
    linesIn++;
    const checked = parseRawLine(line);
    const added =
      'reason' in checked
        ? { reject: checked.reason }
        : addRecord(groupOf(checked.record), checked.record, line);
    if (added === 'duplicate') duplicates++;
    else if (added !== 'added')
      rejectedLines.push({ raw_key: key, line: lineNo, reason: added.reject, text: line });
  };
  for await (const lines of lineBatchesOf(key, chunks)) for (const line of lines) accept(line);
  return { groups: [...groups.values()], rejectedLines, linesIn, duplicates };
}
