// Cuts a stored raw object (NDJSON, plain or gzip) into lines, in bounded memory, flagging lines that are not text.
import { isUtf8 } from 'node:buffer';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { CorruptObjectError } from '../errors.js';

/**
 * The longest raw line accepted, in bytes: Firehose's record limit. Every row is made from one line, so no row
 * reaches DuckDB's 16 MiB JSON object limit, and a file without line breaks is read in bounded memory.
 */
export const MAX_LINE_BYTES = 1_024_000;

/** How much of an over-long line is kept in its rejected entry (the whole line stays in processed/). */
const SAMPLE_BYTES = 1024;

/** A line that is not text the pipeline may parse: why, and as much of it as can be shown. */
export interface BadLine {
  readonly reason: string;
  readonly text: string;
}

/** A line's text (a \r before its newline is kept: callers strip it), or why it is not text. */
export type Line = string | BadLine;

/** The bytes of a stored object, gunzipped when it starts with the gzip magic bytes. */
async function* bytesOf(key: string, chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  const head = Buffer.from(first.value.buffer, first.value.byteOffset, first.value.byteLength);
  const gzipped = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  const all = (async function* () {
    yield head;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      const c = next.value;
      yield Buffer.from(c.buffer, c.byteOffset, c.byteLength);
    }
  })();
  if (!gzipped) {
    yield* all;
    return;
  }
  const gunzip = Readable.from(all).pipe(createGunzip());
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (error) {
    // zlib's own errors (a truncated or damaged stream) say the object is unreadable, not that a read failed.
    if (
      typeof (error as NodeJS.ErrnoException).code === 'string' &&
      /^Z_/.test((error as { code: string }).code)
    )
      throw new CorruptObjectError(`${key} is not a readable gzip stream: ${(error as Error).message}.`);
    throw error;
  }
}

const notUtf8 = (bytes: Buffer): BadLine => ({
  reason: 'not valid UTF-8: decoding would replace bytes with U+FFFD and change the data',
  text: bytes.toString('utf8'),
});

const tooLong = (bytes: number, sample: Buffer): BadLine => ({
  reason: `the line is ${bytes} bytes; at most ${MAX_LINE_BYTES} are accepted (Firehose's record limit)`,
  text: sample.subarray(0, SAMPLE_BYTES).toString('utf8'),
});

/** One complete line's bytes → its text, or why it is not text. */
function lineOf(bytes: Buffer): Line {
  if (bytes.length > MAX_LINE_BYTES) return tooLong(bytes.length, bytes);
  return isUtf8(bytes) ? bytes.toString('utf8') : notUtf8(bytes);
}

/** Complete lines in a block that ends just before a newline: decoded at once when the block is valid UTF-8. */
function linesOfBlock(block: Buffer, out: Line[]): void {
  if (isUtf8(block)) {
    for (const line of block.toString('utf8').split('\n')) {
      // A UTF-16 length is at most the byte length: only long lines pay for counting bytes.
      out.push(line.length * 3 > MAX_LINE_BYTES ? lineOf(Buffer.from(line)) : line);
    }
    return;
  }
  let start = 0;
  for (let nl = block.indexOf(0x0a); nl !== -1; nl = block.indexOf(0x0a, start)) {
    out.push(lineOf(block.subarray(start, nl)));
    start = nl + 1;
  }
  out.push(lineOf(block.subarray(start)));
}

/**
 * The lines of a stored object in batches (one per chunk read), as readline cuts them: \n or \r\n. Lines are
 * cut from bytes (a newline byte is never part of a UTF-8 sequence), and each is checked to be UTF-8; a line
 * longer than MAX_LINE_BYTES is counted, not kept, so memory stays bounded whatever the object's shape.
 * Throws CorruptObjectError when the object is gzip that cannot be read.
 */
export async function* lineBatchesOf(key: string, chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Line[]> {
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let overLong: { sample: Buffer; bytes: number } | undefined;
  const hold = (bytes: Buffer): void => {
    if (overLong) overLong.bytes += bytes.length;
    else if (carryBytes + bytes.length > MAX_LINE_BYTES) {
      const sample = Buffer.concat([...carry, bytes.subarray(0, SAMPLE_BYTES)]).subarray(0, SAMPLE_BYTES);
      overLong = { sample, bytes: carryBytes + bytes.length };
      carry = [];
      carryBytes = 0;
    } else {
      carry.push(bytes);
      carryBytes += bytes.length;
    }
  };
  const takeCarried = (): Line => {
    const line = overLong ? tooLong(overLong.bytes, overLong.sample) : lineOf(Buffer.concat(carry));
    carry = [];
    carryBytes = 0;
    overLong = undefined;
    return line;
  };
  for await (const chunk of bytesOf(key, chunks)) {
    const first = chunk.indexOf(0x0a);
    if (first === -1) {
      hold(chunk);
      continue;
    }
    const last = chunk.lastIndexOf(0x0a);
    hold(chunk.subarray(0, first));
    const lines: Line[] = [takeCarried()];
    if (last > first) linesOfBlock(chunk.subarray(first + 1, last), lines);
    if (last + 1 < chunk.length) hold(chunk.subarray(last + 1));
    yield lines;
  }
  if (carryBytes > 0 || overLong) yield [takeCarried()];
}
