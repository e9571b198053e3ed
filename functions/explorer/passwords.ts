// Passwords: hashed with scrypt (Node's crypto, memory-hard) and judged by NIST SP 800-63B-4's rules: a minimum
// length, a blocklist of common and context-specific passwords, and no composition rules (no "one digit, one
// symbol"), every Unicode character allowed (normalised to NFKC first, as the guideline asks).
import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import common from './common-passwords.json' with { type: 'json' };

const scrypt = promisify(scryptCallback) as (
  password: string | Buffer,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/** OWASP's scrypt minimum: N = 2^17, r = 8, p = 1 (128 MiB and about 0.3 s a hash on a laptop core). */
export const SCRYPT_DEFAULTS = { N: 2 ** 17, r: 8, p: 1 } as const;
export type ScryptCost = { readonly N: number; readonly r: number; readonly p: number };

/** NIST SP 800-63B-4 § 3.1.1.2: at least 15 characters for a password that is the only factor. */
export const MIN_LENGTH = 15;
/** Long passphrases are welcome; the cap only bounds the work of one hash. */
export const MAX_LENGTH = 256;
const KEY_BYTES = 32;

const normalise = (password: string): string => password.normalize('NFKC');

/** `scrypt$N$r$p$salt$hash` (base64url): the cost travels with the hash, so it can be raised later. */
export async function hashPassword(password: string, cost: ScryptCost = SCRYPT_DEFAULTS): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(normalise(password), salt, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  return scrypt(password, salt, KEY_BYTES, { ...cost, maxmem: 256 * cost.N * cost.r });
}

/** Whether `password` matches `stored` (constant-time comparison); a malformed stored value never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, key] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await derive(normalise(password), Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

const BLOCKED = new Set((common as string[]).map((w) => w.toLowerCase()));

/** True when the password is one character, or a run of consecutive characters (abcdef…, 12345…, 98765…), repeated. */
function isTrivialPattern(password: string): boolean {
  const chars = [...password.toLowerCase()];
  if (new Set(chars).size <= 2) return true;
  const steps = chars.slice(1).map((c, i) => c.codePointAt(0)! - chars[i]!.codePointAt(0)!);
  return steps.every((s) => s === steps[0] && Math.abs(s) === 1);
}

/**
 * Why a password is refused, in a sentence for the form; undefined when it is fine. Context words: the e-mail,
 * its local part and the service's name, alone or repeated, are refused as a blocklist entry would be.
 */
export function passwordProblem(password: string, email: string): string | undefined {
  const text = normalise(password);
  const length = [...text].length;
  if (length < MIN_LENGTH) {
    return `Use at least ${MIN_LENGTH} characters (${length} given). A few unrelated words make a good one.`;
  }
  if (length > MAX_LENGTH) return `Use at most ${MAX_LENGTH} characters.`;
  const lower = text.toLowerCase();
  const local = email.toLowerCase().split('@')[0] ?? '';
  const context = [email.toLowerCase(), local, 'spotify', 'spotifyetl', 'spotify-etl', 'chart', 'explorer'];
  const stripped = lower.replace(/[^\p{L}\p{N}]/gu, '');
  const repeatsContext = context.some(
    (w) =>
      w.length >= 4 && stripped.replaceAll(w.replace(/[^\p{L}\p{N}]/gu, ''), '').replace(/\d/g, '') === '',
  );
  if (BLOCKED.has(lower) || BLOCKED.has(stripped) || repeatsContext || isTrivialPattern(text)) {
    return 'This password is too common or too easy to guess (a known password, a pattern, or your e-mail). Choose another.';
  }
  return undefined;
}
