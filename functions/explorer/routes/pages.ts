// Explorer routes: pages (being built).
import { Hono } from 'hono';
import type { ExplorerEnv } from '../app.js';
import type { ExplorerDeps } from '../ports.js';

export function pagesRoutes(_deps: ExplorerDeps): Hono<ExplorerEnv> {
  return new Hono<ExplorerEnv>();
}
