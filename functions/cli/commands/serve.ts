// `spotify-etl serve`: the chart explorer (Search, Write, Sign Up, Sign In) over the local lake, in any browser.
import { serve as listen } from '@hono/node-server';
import { createExplorerApp } from '#functions/explorer/app.js';
import { UsageError } from '#functions/errors.js';
import { EXIT, type Command } from '../command.js';
import { openLocalExplorer } from '../explorer-runtime.js';
import { str } from '../terminal.js';

export const serve: Command = {
  name: 'serve',
  summary: 'the chart explorer in a browser: search, song/artist/day pages, SQL, saved queries, uploads',
  description:
    'Serves the explorer over the lake until Ctrl-C. Accounts, sessions and saved queries live in\n' +
    '<lake>/explorer/state.duckdb; one serve per lake (a second one is refused). The first account to sign\n' +
    'up becomes an editor; `spotify-etl users` manages roles and invitations.',
  args: [],
  options: {
    port: { type: 'string', value: 'N', description: 'port to listen on', default: '8787' },
    host: {
      type: 'string',
      value: 'ADDR',
      description: 'address to listen on (127.0.0.1: this machine only)',
      default: '127.0.0.1',
    },
    'invite-only': {
      type: 'boolean',
      description: 'refuse sign-up except for e-mails invited with `spotify-etl users invite`',
    },
  },
  examples: ['spotify-etl serve', 'spotify-etl serve --port 9000 --invite-only'],
  async run({ values, config, logger, io, signal }) {
    const port = Number(str(values.port) ?? '8787');
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new UsageError(`--port "${String(values.port)}" is not a port number (0-65535).`);
    }
    const host = str(values.host) ?? '127.0.0.1';
    const explorer = await openLocalExplorer(config().lakeRoot, {
      settings: { inviteOnly: values['invite-only'] === true },
      config: config(),
      logger,
    });
    const app = createExplorerApp(explorer.deps);
    const server = listen({ fetch: app.fetch, port, hostname: host }, (info) => {
      io.err(`explorer on http://${host === '0.0.0.0' ? 'localhost' : host}:${info.port}/ (Ctrl-C stops it)`);
    });
    // Builds the copy of the tables and the search index now, not on the first visitor's request.
    const started = performance.now();
    const warm = Promise.resolve(app.request('http://localhost/api/search?q=a'))
      .then(() => io.err(`search ready (${((performance.now() - started) / 1000).toFixed(1)} s)`))
      .catch((error: unknown) => io.err(`the search index could not be built: ${(error as Error).message}`));
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await warm;
    await explorer.close();
    io.err('explorer stopped');
    return EXIT.ok;
  },
};
