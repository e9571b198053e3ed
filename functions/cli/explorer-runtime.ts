// The explorer on one machine: its ports from local adapters (the state file under <lake>/explorer/, the confined
// DuckDB over the lake, the lake folder as storage), for `serve` and `users`.
import { ExplorerState } from '#functions/adapters/local/explorer-state.js';
import { LocalExplorerLake } from '#functions/adapters/local/explorer-lake.js';
import {
  LocalAccounts,
  StateAudit,
  StateSavedQueries,
  StateSessions,
  StateThrottle,
} from '#functions/adapters/local/explorer-stores.js';
import { LocalChartUploads } from '#functions/adapters/local/explorer-uploads.js';
import { FolderStorage } from '#functions/adapters/local/folder-storage.js';
import { loadConfig, type Config } from '#functions/config.js';
import type { ExplorerDeps, ExplorerSettings } from '#functions/explorer/ports.js';
import type { ScryptCost } from '#functions/explorer/passwords.js';
import { silentLogger, systemClock, unlocked, type Clock, type Logger } from '#functions/ports.js';
import { lakeLock, runLocal } from './local-runtime.js';

export interface LocalExplorer {
  readonly deps: ExplorerDeps;
  readonly state: ExplorerState;
  close(): Promise<void>;
}

export interface LocalExplorerOptions {
  readonly settings?: Partial<ExplorerSettings>;
  readonly clock?: Clock;
  /** Tests lower scrypt's cost; everything else uses the default (OWASP's minimum). */
  readonly scryptCost?: ScryptCost;
  /** Uploads run the inbox with these settings (Spotify credentials: enrichment); by default none. */
  readonly config?: Config;
  readonly logger?: Logger;
}

export async function openLocalExplorer(
  lakeRoot: string,
  options: LocalExplorerOptions = {},
): Promise<LocalExplorer> {
  const state = await ExplorerState.open(lakeRoot);
  const clock = options.clock ?? systemClock;
  const lake = new LocalExplorerLake(lakeRoot, clock);
  const storage = new FolderStorage(lakeRoot);
  const config = { ...(options.config ?? loadConfig({})), lakeRoot };
  // The upload holds the lake lock for its whole run, so the run's transformer takes it no further.
  const runInbox = () =>
    runLocal(config, clock, options.logger ?? silentLogger, { source: 'charts-csv', lock: unlocked });
  const deps: ExplorerDeps = {
    auth: new LocalAccounts(state, clock, options.scryptCost),
    sessions: new StateSessions(state),
    throttle: new StateThrottle(state),
    audit: new StateAudit(state),
    queries: new StateSavedQueries(state),
    clock,
    lake,
    storage,
    uploads: new LocalChartUploads(storage, lakeLock(lakeRoot, 'serve (upload)'), runInbox),
    settings: { inviteOnly: false, secureCookies: false, trustProxy: false, ...options.settings },
  };
  return {
    deps,
    state,
    close: async () => {
      await lake.close();
      await state.close();
    },
  };
}
