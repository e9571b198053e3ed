// `spotify-etl run` as a child process when Spotify cannot be reached (issue #9): it must print its one-line error
// and exit non-zero at once, instead of hanging while the other lookups retry in the background.
import { spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  LocalSpotifyServer,
} from '#functions/adapters/local/spotify-server.js';
import { DemoCatalog } from '#functions/adapters/local/demo-catalog.js';
import { chartsDir, repoRoot, tempDir } from '../helpers/paths.js';

/** Longer than any fixed run takes; a run still going then is the hang, and is killed. */
const KILL_AFTER_MS = 30_000;
const CHART = join(chartsDir, 'regional-au-daily-2024-02-05.csv'); // 200 tracks to look up

interface Outcome {
  /** null when killed. */
  readonly code: number | null;
  readonly stderr: string;
  readonly ms: number;
  /** From the first "error:" on stderr to the exit. */
  readonly msAfterError: number | undefined;
}

async function runCli(env: Readonly<Record<string, string>>): Promise<Outcome> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('SPOTIFY_') && k !== 'CHART_SOURCE'),
  );
  const lake = await tempDir('lake-unreachable-');
  const started = Date.now();
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'bin/spotify-etl.js'), 'run', '--lake', lake, '--source', `charts-csv:${CHART}`],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...base,
        SPOTIFY_MAX_RETRIES: '3',
        SPOTIFY_TIMEOUT_MS: '250',
        ...env,
      },
    },
  );
  let stderr = '';
  let errorAt: number | undefined;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
    if (errorAt === undefined && /^error: /m.test(stderr)) errorAt = Date.now();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(killer);
  const ended = Date.now();
  return {
    code,
    stderr,
    ms: ended - started,
    msAfterError: errorAt === undefined ? undefined : ended - errorAt,
  };
}

function expectPromptFailure(outcome: Outcome, message: RegExp): void {
  expect(outcome.code).toBe(1); // not null: it exited on its own, before the kill
  expect(outcome.stderr).toMatch(message);
  expect(outcome.stderr).toMatch(/^hint: Check the network or SPOTIFY_API_URL/m);
  expect(outcome.stderr).not.toMatch(/^\s+at /m); // no stack trace without --verbose
  expect(outcome.msAfterError).toBeLessThan(5_000); // before the fix: minutes of background retries
}

/** A TCP port on loopback that refuses connections: listened on, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('spotify-etl run when Spotify cannot be reached', () => {
  let spotify: LocalSpotifyServer | undefined;
  let silent: Server | undefined;
  const sockets = new Set<Socket>();

  afterEach(async () => {
    await spotify?.close();
    spotify = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    await new Promise<void>((resolve) => (silent ? silent.close(() => resolve()) : resolve()));
    silent = undefined;
  });

  it(
    'exits 1 at once with the error and its hint when the token endpoint refuses connections',
    async () => {
      const port = await closedPort();
      const outcome = await runCli({
        SPOTIFY_CLIENT_ID: 'x',
        SPOTIFY_CLIENT_SECRET: 'y',
        SPOTIFY_ACCOUNTS_URL: `http://127.0.0.1:${port}`,
        SPOTIFY_API_URL: `http://127.0.0.1:${port}/v1`,
      });
      expectPromptFailure(
        outcome,
        /^error: Spotify did not answer \/api\/token: network error \(connect ECONNREFUSED .*\), after 4 attempts\.$/m,
      );
    },
    KILL_AFTER_MS + 10_000,
  );

  it(
    'exits 1 at once when the token endpoint accepts connections but never answers',
    async () => {
      silent = createServer((socket) => sockets.add(socket)); // reads nothing, answers nothing
      await new Promise<void>((resolve) => silent?.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as AddressInfo;
      const outcome = await runCli({
        SPOTIFY_CLIENT_ID: 'x',
        SPOTIFY_CLIENT_SECRET: 'y',
        SPOTIFY_ACCOUNTS_URL: `http://127.0.0.1:${port}`,
        SPOTIFY_API_URL: `http://127.0.0.1:${port}/v1`,
      });
      expectPromptFailure(
        outcome,
        /^error: Spotify did not answer \/api\/token: no answer within 250 ms, after 4 attempts\.$/m,
      );
    },
    KILL_AFTER_MS + 10_000,
  );

  it(
    'exits 1 at once when a token is granted but the track lookups never answer',
    async () => {
      spotify = await LocalSpotifyServer.start({ catalog: new DemoCatalog() });
      spotify.inject({ path: /^\/v1\/tracks\//, delayMs: 120_000, times: Infinity });
      const outcome = await runCli({
        SPOTIFY_CLIENT_ID: DEMO_CLIENT_ID,
        SPOTIFY_CLIENT_SECRET: DEMO_CLIENT_SECRET,
        SPOTIFY_ACCOUNTS_URL: spotify.url,
        SPOTIFY_API_URL: spotify.apiUrl,
      });
      expectPromptFailure(
        outcome,
        /^error: Spotify did not answer \/v1\/tracks\/\w{22}: no answer within 250 ms, after 4 attempts\.$/m,
      );
      // The first failure stops the run: the lookups beside it end there, the 196 others never start.
      const lookups = spotify.requests.filter((r) => r.path.startsWith('/v1/tracks/'));
      expect(lookups.length).toBeLessThanOrEqual(4 * 4); // SPOTIFY_CONCURRENCY (4) × 4 attempts
    },
    KILL_AFTER_MS + 10_000,
  );
});
