// The date-range planning: a run's options (range, today, freshness, known gaps) validated into the days to check.
import { addDays, isIsoDate } from '../dates.js';
import { EtlError } from '#functions/errors.js';
import { validateKnownGaps, type KnownGap } from './known-gaps.js';

export interface CheckOptions {
  /** First chart date checked; default: 6 days before `to` (a week). */
  readonly from?: string;
  /** Last chart date checked; default: `today`, and only then is freshness checked. */
  readonly to?: string;
  /** The current date (YYYY-MM-DD, UTC), injected: the domain does not read the clock. */
  readonly today: string;
  /** Freshness: the latest chart date may be at most this many days before `today` (default 2). */
  readonly maxAgeDays?: number;
  /** Absences and short charts declared in advance (KNOWN_GAPS, read with readKnownGaps): notes, not failures. */
  readonly knownGaps?: readonly KnownGap[];
  /**
   * Only these chart dates of the range have to hold the range's charts (`check --pending`: the dates written; the
   * days between them are in the range to save queries, and are checked for what they hold, not for being there).
   */
  readonly coverageDates?: readonly string[];
}

export const DEFAULT_MAX_AGE_DAYS = 2;
export const DEFAULT_RANGE_DAYS = 7;

/** A run's options, validated and with defaults applied. */
export interface CheckPlan {
  readonly today: string;
  readonly from: string;
  readonly to: string;
  /** A `to` was given: the range is asked for in full (coverage) and freshness is not checked. */
  readonly explicit: boolean;
  readonly maxAgeDays: number;
  readonly knownGaps: readonly KnownGap[];
  readonly coverageDates?: readonly string[];
}

// Dates are validated strictly before they go into SQL text.
function checkDate(name: string, value: string): string {
  if (typeof value !== 'string' || !isIsoDate(value)) {
    throw new EtlError(`Check option ${name} "${String(value)}" is not a calendar date.`, {
      hint: 'Dates are YYYY-MM-DD, e.g. 2024-02-07.',
    });
  }
  return value;
}

/** The options validated, in the order given; throws EtlError naming the first invalid one. */
export function planChecks(options: CheckOptions): CheckPlan {
  const today = checkDate('today', options.today);
  const to = options.to === undefined ? today : checkDate('to', options.to);
  const from =
    options.from === undefined ? addDays(to, 1 - DEFAULT_RANGE_DAYS) : checkDate('from', options.from);
  if (from > to) {
    throw new EtlError(`Check range from ${from} to ${to} is empty: from is after to.`, {
      hint: 'Give --from on or before --to.',
    });
  }
  const maxAgeDays = options.maxAgeDays ?? DEFAULT_MAX_AGE_DAYS;
  if (!Number.isInteger(maxAgeDays) || maxAgeDays < 0) {
    throw new EtlError(`Check option maxAgeDays ${String(maxAgeDays)} is not a whole number of days ≥ 0.`);
  }
  const knownGaps = validateKnownGaps(options.knownGaps ?? [], 'Check option knownGaps');
  const coverageDates = options.coverageDates?.map((d) => checkDate('coverageDates', d));
  return {
    today,
    from,
    to,
    explicit: options.to !== undefined,
    maxAgeDays,
    knownGaps,
    ...(coverageDates ? { coverageDates } : {}),
  };
}
