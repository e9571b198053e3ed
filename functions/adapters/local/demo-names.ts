// The demo's names, labels and genres, drawn from the word lists in demo-words.json; ids do not depend on them.
import { pick, unit } from './demo-ids.js';
import words from './demo-words.json' with { type: 'json' };

const {
  firstNames: FIRST,
  lastNames: LAST,
  bands: BANDS,
  bandSuffixes: BAND_SUFFIXES,
  titleFirstWords: WORDS_A,
  titleSecondWords: WORDS_B,
  genres: GENRES,
  labels: LABELS,
} = words;

export function artistName(a: number): string {
  if (unit(a, 11) < 0.12)
    return pick(BANDS, a, 12) + (a >= BANDS.length ? ` ${pick(BAND_SUFFIXES, a, 13)}` : '');
  if (unit(a, 14) < 0.2) return `${pick(FIRST, a, 15).toUpperCase()}${a % 7 === 0 ? '$' : ''}`;
  return `${pick(FIRST, a, 15)} ${pick(LAST, a, 16)}`;
}

/** The name of pool track k. */
export function songName(k: number): string {
  const base = `${pick(WORDS_A, k, 21)} ${pick(WORDS_B, k, 22)}`;
  const r = unit(k, 23);
  if (r < 0.08) return `${base} (Remix)`;
  if (r < 0.14) return `${base} - Sped Up`;
  if (r < 0.2) return pick(WORDS_B, k, 24).toUpperCase();
  return base;
}

/** The title of album b when it is not a single (a single takes its first song's name). */
export const albumTitle = (b: number): string => `${pick(WORDS_A, b, 98)} ${pick(WORDS_B, b, 99)}`;

/** The record label of album b (the chart's `source` column names it too). */
export const labelOf = (b: number): string => pick(LABELS, b, 61);

/** Artist a's genres: none for some, else one or two. */
export function artistGenres(a: number): string[] {
  return unit(a, 82) < 0.15
    ? []
    : [pick(GENRES, a, 83), pick(GENRES, a, 84)].filter((g, i, l) => l.indexOf(g) === i);
}
