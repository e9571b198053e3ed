// Fault injection for the local Spotify-API server: the queue of faults to play, and the answer each one gives.
import { apiError } from './spotify-endpoints.js';

/** A failure to play instead of the normal answer; `status` unset means "answer normally after the delay". */
export interface Fault {
  /** Tested against the request path with its query string; unset matches every request (token requests too). */
  readonly path?: RegExp;
  readonly status?: number;
  /** Seconds, sent as the Retry-After header. */
  readonly retryAfter?: number;
  readonly body?: unknown;
  readonly delayMs?: number;
  /** How many matching requests get the fault (default 1; Infinity for all). */
  readonly times?: number;
  /** Destroy the socket without answering: the client sees a network error. */
  readonly dropConnection?: boolean;
}

interface PendingFault {
  readonly fault: Fault;
  remaining: number;
}

const DEFAULT_MESSAGES: Readonly<Record<number, string>> = {
  400: 'Bad request',
  401: 'The access token expired',
  403: 'Forbidden',
  404: 'Resource not found',
  429: 'API rate limit exceeded',
  500: 'Server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
};

/** The faults still to play, in order of injection, and the delays being played (cancelled on close). */
export class FaultQueue {
  private readonly faults: PendingFault[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  inject(fault: Fault): void {
    this.faults.push({ fault, remaining: fault.times ?? 1 });
  }

  /** The first fault that matches `path` and has plays left; counts one play. */
  take(path: string): Fault | undefined {
    const index = this.faults.findIndex((f) => f.remaining > 0 && (f.fault.path?.test(path) ?? true));
    if (index < 0) return undefined;
    const pending = this.faults[index] as PendingFault;
    pending.remaining--;
    if (pending.remaining <= 0) this.faults.splice(index, 1);
    return pending.fault;
  }

  wait(ms: number): Promise<void> {
    return new Promise((ok) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        ok();
      }, ms);
      this.timers.add(timer);
    });
  }

  /** Stops every pending delay (their requests never get an answer; the server is closing). */
  cancelWaits(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

/** What a fault with a `status` answers: [status, body, headers]. */
export function faultAnswer(
  fault: Fault & { readonly status: number },
): [number, unknown, Record<string, string>] {
  const headers: Record<string, string> =
    fault.retryAfter === undefined ? {} : { 'Retry-After': String(fault.retryAfter) };
  const payload = fault.body ?? apiError(fault.status, DEFAULT_MESSAGES[fault.status] ?? 'Error');
  return [fault.status, payload, headers];
}
