// The demo's stream model: which pool track debuts on which day, and how many streams it has on any day since.
import { addDays, daysFrom } from '#functions/core/dates.js';
import { unit } from './demo-ids.js';

const EPOCH = '2020-01-01';
export const DEBUTS_PER_DAY = 8;
export const WINDOW_DAYS = 300; // tracks older than this have left any chart

export const dayNumber = (date: string): number => daysFrom(EPOCH, date);
export const dateOf = (day: number): string => addDays(EPOCH, day);

interface Curve {
  readonly peak: number;
  readonly tau: number;
  /** Age of a revival (a viral moment or a film sync brings a song back: re-entries), or -1. */
  readonly revivalAt: number;
}
const curves = new Map<number, Curve>();
function curveOf(k: number): Curve {
  let c = curves.get(k);
  if (!c) {
    c = {
      peak: 220_000 * Math.exp(3.1 * unit(k, 51) ** 4),
      tau: 4 + 160 * unit(k, 52) ** 2.5,
      revivalAt: unit(k, 53) < 0.12 ? 20 + Math.floor(200 * unit(k, 54)) : -1,
    };
    curves.set(k, c);
  }
  return c;
}

/** Streams of pool track k on day d: a debut peak, decay over weeks or months, noise, some revivals. */
export function streamsOn(k: number, day: number, salt = 0): number {
  const debut = Math.floor(k / DEBUTS_PER_DAY);
  const age = day - debut;
  if (age < 0 || age > WINDOW_DAYS) return 0;
  const curve = curveOf(k);
  const { tau, revivalAt } = curve;
  // A regional chart shares the track pool but not the tastes: each region weighs each song differently.
  const peak = salt === 0 ? curve.peak : curve.peak * Math.exp(2.2 * (unit(k, salt, 57) - 0.5));
  const ramp = age < 3 ? 0.6 + 0.2 * age : 1;
  let s = peak * ramp * Math.exp(-age / tau);
  if (revivalAt >= 0 && age >= revivalAt) s += peak * 0.5 * Math.exp(-(age - revivalAt) / 12);
  return Math.round(s * (0.93 + 0.14 * unit(k, day, 55 + salt)));
}
