// The retry wait shared by every client that retries (the Web API, Firehose): exponential back-off, full jitter.

/**
 * How long to wait before retry `attempt` (0 = the first retry): a random share of min(max, base · 2^attempt).
 * Full jitter spreads the retries of concurrent callers instead of synchronising them (AWS's back-off advice).
 */
export function fullJitterMs(
  attempt: number,
  options: { readonly baseMs: number; readonly maxMs: number; readonly random: () => number },
): number {
  return options.random() * Math.min(options.maxMs, options.baseMs * 2 ** attempt);
}
