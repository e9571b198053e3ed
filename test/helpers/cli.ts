// The CLI in the test's own process: main() with stdout and stderr captured together, and an environment
// without Spotify settings (the machine's own must not change what a test sees).
import { main } from '#functions/cli/main.js';

/** Runs one command line in-process; `out` holds what it wrote to stdout and stderr, in order. */
export async function cliInProcess(args: readonly string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await main(args, { out: (s) => lines.push(s), err: (s) => lines.push(s) });
  return { code, out: lines.join('\n') };
}

/** Removes SPOTIFY_* and CHART_SOURCE before each test of the file, and restores them after it. */
export function withoutSpotifyEnvironment(): void {
  const saved = { ...process.env };
  beforeEach(() => {
    for (const k of Object.keys(process.env))
      if (k.startsWith('SPOTIFY_') || k === 'CHART_SOURCE') delete process.env[k];
  });
  afterAll(() => {
    process.env = saved;
  });
}
