// What code under test writes to stdout and stderr, captured instead of printed: Lambda collects both streams, and
// Powertools writes WARN and ERROR lines to stderr, so the handlers' log lines are read from both.
import { jest } from '@jest/globals';

export interface CapturedOutput {
  /** The JSON lines written so far, parsed; with `skipText`, lines that are not a JSON object are left out. */
  lines(options?: { readonly skipText?: boolean }): Record<string, unknown>[];
  restore(): void;
}

export function captureOutput(): CapturedOutput {
  const written: string[] = [];
  const collect = (chunk: string | Uint8Array): boolean => {
    written.push(String(chunk));
    return true;
  };
  const spies = [process.stdout, process.stderr].map((s) =>
    jest.spyOn(s, 'write').mockImplementation(collect),
  );
  return {
    lines: (options = {}) =>
      written
        .join('')
        .split('\n')
        .filter((l) => (options.skipText ? l.startsWith('{') : l !== ''))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

/** Runs `run` with the output captured, and returns its JSON lines. */
export async function logsOf(
  run: () => unknown,
  options?: { readonly skipText?: boolean },
): Promise<Record<string, unknown>[]> {
  const output = captureOutput();
  try {
    await run();
  } finally {
    output.restore();
  }
  return output.lines(options);
}
