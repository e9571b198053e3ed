// The demo's only source of "randomness" (a 32-bit hash of integers) and its Spotify-like ids built from it.

/** 32-bit mix of a few integers: the demo's only source of "randomness". */
export function hash(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p & 0xffff), 0x01000193);
    h = Math.imul(h ^ (p >>> 16), 0x01000193);
    h ^= h >>> 13;
    h = Math.imul(h, 0x5bd1e995);
    h ^= h >>> 15;
  }
  return h >>> 0;
}
export const unit = (...parts: number[]): number => hash(...parts) / 0x100000000;
export const pick = <T>(list: readonly T[], ...parts: number[]): T => list[hash(...parts) % list.length] as T;

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function base62(n: number, width: number): string {
  let s = '';
  for (let i = 0; i < width; i++) {
    s = B62[n % 62] + s;
    n = Math.floor(n / 62);
  }
  return s;
}
const KIND_SALT = { track: 1, album: 2, artist: 3 } as const;
export type DemoKind = keyof typeof KIND_SALT;
/** 22 base62 characters like a real Spotify id; the last 6 encode the index so the server can answer any id. */
export function demoId(kind: DemoKind, index: number): string {
  const salt = KIND_SALT[kind];
  return (
    base62(hash(salt, index, 1), 6) +
    base62(hash(salt, index, 2), 5) +
    base62(hash(salt, index, 3), 5) +
    base62(index, 6)
  );
}
export function demoIndex(kind: DemoKind, id: string): number | undefined {
  if (!/^[0-9A-Za-z]{22}$/.test(id)) return undefined;
  let index = 0;
  for (const c of id.slice(16)) index = index * 62 + B62.indexOf(c);
  return demoId(kind, index) === id ? index : undefined;
}
