// Static assets: the stylesheet and the page scripts. Scripts are bundled from functions/explorer/client/ by esbuild
// on first request (minified, everything included: the page needs no other network), then served from memory.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Hono } from 'hono';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/** The page scripts: the name a page asks for → its entry in client/. */
export const CLIENT_BUNDLES: Readonly<Record<string, string>> = {
  plots: 'plots.ts',
  search: 'search.ts',
  editor: 'editor.ts',
  upload: 'upload.ts',
};

const built = new Map<string, Promise<string>>();

/** A bundle's JavaScript, built once per process. */
export function clientBundle(name: string): Promise<string> | undefined {
  const entry = CLIENT_BUNDLES[name];
  if (!entry) return undefined;
  let code = built.get(name);
  if (!code) {
    code = build({
      entryPoints: [here(`../client/${entry}`)],
      bundle: true,
      minify: true,
      format: 'esm',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
      loader: { '.css': 'text' },
    }).then((r) => r.outputFiles[0]?.text ?? '');
    built.set(name, code);
  }
  return code;
}

export function assetRoutes(): Hono {
  const app = new Hono();
  const css = readFile(here('../style.css'), 'utf8');
  app.get('/assets/style.css', async (c) => {
    c.header('content-type', 'text/css; charset=utf-8');
    c.header('cache-control', 'no-cache');
    return c.body(await css);
  });
  // uPlot's stylesheet, for the plots script to link (the CSP allows this site's stylesheets, no inline styles).
  let uplotCss: Promise<string> | undefined;
  app.get('/assets/uplot.css', async (c) => {
    uplotCss ??= readFile(createRequire(import.meta.url).resolve('uplot/dist/uPlot.min.css'), 'utf8');
    c.header('content-type', 'text/css; charset=utf-8');
    c.header('cache-control', 'no-cache');
    return c.body(await uplotCss);
  });
  app.get('/assets/:name{[a-z0-9-]+\\.js}', async (c) => {
    const code = clientBundle(c.req.param('name').replace(/\.js$/, ''));
    if (!code) return c.notFound();
    c.header('content-type', 'text/javascript; charset=utf-8');
    c.header('cache-control', 'no-cache');
    return c.body(await code);
  });
  return app;
}
