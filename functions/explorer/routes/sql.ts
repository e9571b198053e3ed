// Explorer routes: sql (being built).
import { Hono } from 'hono';
import type { ExplorerEnv } from '../app.js';
import type { ExplorerDeps } from '../ports.js';

export function sqlRoutes(_deps: ExplorerDeps): Hono<ExplorerEnv> {
  return new Hono<ExplorerEnv>();
}
