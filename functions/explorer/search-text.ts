// How search compares text: accents, case and punctuation do not count, so `beyonce` finds Beyoncé and `acdc` AC/DC.

/** Letters that Unicode does not decompose into a base letter and a mark, spelled as a keyboard without them would. */
const FOLDED: Readonly<Record<string, string>> = {
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ħ: 'h',
  ı: 'i',
  ł: 'l',
  ŧ: 't',
  æ: 'ae',
  œ: 'oe',
  ß: 'ss',
  þ: 'th',
};
const FOLDABLE = new RegExp(`[${Object.keys(FOLDED).join('')}]`, 'g');
/** Apostrophes join a word's parts (don't → dont); every other non-letter, non-digit separates words. */
const APOSTROPHES = /['’ʼ`´]/g;
const SEPARATORS = /[^\p{L}\p{N}]+/u;

/** Lower case, without accents (NFKD, combining marks dropped) and with the letters of FOLDED spelled out. */
export function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(FOLDABLE, (c) => FOLDED[c] ?? c);
}

/** The words of a text as search compares them: folded, split at punctuation and spaces. */
export function words(text: string): string[] {
  return fold(text)
    .replace(APOSTROPHES, '')
    .split(SEPARATORS)
    .filter((w) => w !== '');
}

/**
 * The words of a name a query may start with: each word, and the name run together when it has several words
 * (so `acdc` finds AC/DC and `texasho` TEXAS HOLD 'EM).
 */
export function nameWords(name: string): string[] {
  const parts = words(name);
  return parts.length > 1 ? [...parts, parts.join('')] : parts;
}

/** A name as compared whole: its words joined by one space (`Beyoncé!` and `beyonce` compare equal). */
export const nameKey = (name: string): string => words(name).join(' ');
