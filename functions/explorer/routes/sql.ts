// Write: the SQL page, its result (as a page, as JSON for the editor's script, as a CSV download) and saved
// queries. Every route is for signed-in users; a user's SQL runs only through the lake's sandbox (sql-run.ts).
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ExplorerContext, ExplorerEnv } from '../app.js';
import { pageContext, requireAccount } from '../app.js';
import { layout, message } from '../html.js';
import type { Account, ExplorerDeps, SavedQuery } from '../ports.js';
import { resultCsv } from '../result-csv.js';
import {
  editedSavedQuery,
  isOwner,
  newSavedQuery,
  openQuery,
  savedQueryProblem,
  type SavedQueryInput,
} from '../saved-queries.js';
import { sqlExample } from '../sql-examples.js';
import { SQL_LIMITS, SqlRunner } from '../sql-run.js';
import { sqlPage, type EditorState } from '../views/sql.js';

type Form = Record<string, unknown>;
const field = (form: Form, name: string): string =>
  typeof form[name] === 'string' ? (form[name] as string) : '';

const inputOf = (form: Form): SavedQueryInput => ({
  name: field(form, 'name'),
  sql: field(form, 'sql'),
  shared: form.shared === 'on',
});

const DEFAULT_SQL =
  'SELECT snapshot_date, chart_id, count(*) AS entries\nFROM song_data\nGROUP BY ALL\nORDER BY snapshot_date DESC, chart_id\nLIMIT 20';

const NOT_FOUND = 'There is no such query, or it is private to someone else.';

/** What the SQL routes share: the account, the page with its saved queries, the saved query a form names. */
function editorPages(deps: ExplorerDeps) {
  const me = (c: ExplorerContext): Account => c.get('account')!;
  return {
    me,
    runner: new SqlRunner(deps.lake),
    /** The page with what every state needs: the account's saved queries. */
    page: async (
      c: ExplorerContext,
      state: Omit<EditorState, 'saved' | 'accountId'>,
      status: ContentfulStatusCode = 200,
    ) =>
      c.html(
        sqlPage(pageContext(c, 'sql'), {
          ...state,
          saved: await deps.queries.visibleTo(me(c).id),
          accountId: me(c).id,
        }),
        status,
      ),
    /** The saved query a form names (hidden id), when the account may open it. */
    formQuery: async (c: ExplorerContext, form: Form) => {
      const query = field(form, 'id') ? await openQuery(deps.queries, field(form, 'id'), me(c)) : undefined;
      return query ? { query, owner: isOwner(query, me(c)) } : {};
    },
    notFound: (c: ExplorerContext) =>
      c.html(layout(pageContext(c), 'Not found', message('error', NOT_FOUND)), 404),
  };
}

type Pages = ReturnType<typeof editorPages>;

/** The editor, and a user's SQL run: as the page, as a CSV download, as JSON for the editor's script. */
function runRoutes(app: Hono<ExplorerEnv>, { me, runner, page, formQuery }: Pages): void {
  app.get('/sql', async (c) => {
    const example = sqlExample(c.req.query('example') ?? '');
    const sql = example?.sql ?? c.req.query('sql') ?? DEFAULT_SQL;
    return page(c, { sql, ...(c.req.query('deleted') ? { note: 'The query was deleted.' } : {}) });
  });

  app.post('/sql', async (c) => {
    const form = await c.req.parseBody();
    const sql = field(form, 'sql');
    const outcome = await runner.run(me(c).id, sql, SQL_LIMITS.shownRows);
    const { name, shared } = inputOf(form);
    const state = { sql, outcome, name, shared, ...(await formQuery(c, form)) };
    return page(c, state, outcome.ok ? 200 : outcome.status);
  });

  app.post('/sql/csv', async (c) => {
    const form = await c.req.parseBody();
    const sql = field(form, 'sql');
    const outcome = await runner.run(me(c).id, sql, SQL_LIMITS.csvRows);
    const opened = await formQuery(c, form);
    if (!outcome.ok) return page(c, { ...inputOf(form), outcome, ...opened }, outcome.status);
    const csv = resultCsv(outcome.result, opened.query?.name);
    c.header('content-type', 'text/csv; charset=utf-8');
    c.header('content-disposition', `attachment; filename="${csv.fileName}"`);
    c.header('cache-control', 'no-store');
    return c.body(csv.body);
  });

  app.post(
    '/api/sql',
    bodyLimit({
      maxSize: SQL_LIMITS.maxSqlChars * 4 + 1024,
      onError: (c) => c.json({ error: 'The SQL is too long.', kind: 'refused' }, 413),
    }),
    async (c) => {
      const body = (await c.req.json().catch(() => undefined)) as { sql?: unknown } | undefined;
      if (typeof body?.sql !== 'string') {
        return c.json({ error: 'Send JSON: {"sql": "SELECT …"}.', kind: 'refused' }, 400);
      }
      const outcome = await runner.run(me(c).id, body.sql, SQL_LIMITS.shownRows);
      if (!outcome.ok) {
        const { kind, message: error, hint, status } = outcome;
        return c.json({ error, kind, ...(hint ? { hint } : {}) }, status);
      }
      return c.json({ ...outcome.result, maxRows: SQL_LIMITS.shownRows, csvRows: SQL_LIMITS.csvRows });
    },
  );
}

/** Saved queries: created by anyone signed in, opened by whoever may see them, changed by their owner only. */
function savedRoutes(app: Hono<ExplorerEnv>, deps: ExplorerDeps, pages: Pages): void {
  const { me, page, formQuery, notFound } = pages;
  app.post('/queries', async (c) => {
    const form = await c.req.parseBody();
    const input = inputOf(form);
    const problem = savedQueryProblem(input);
    if (problem) return page(c, { ...input, error: problem, ...(await formQuery(c, form)) }, 400);
    const query = newSavedQuery(input, me(c), deps.clock);
    await deps.queries.save(query);
    return c.redirect(`/q/${query.id}?saved=1`, 303);
  });

  app.get('/q/:id', async (c) => {
    const query = await openQuery(deps.queries, c.req.param('id'), me(c));
    if (!query) return notFound(c);
    const note = c.req.query('saved') ? 'Saved.' : undefined;
    return page(c, { sql: query.sql, query, owner: isOwner(query, me(c)), ...(note ? { note } : {}) });
  });

  /** The query a change names, when the account owns it; else the answer to send (404, or 403 for a shared one). */
  const ownQuery = async (c: ExplorerContext): Promise<SavedQuery | Response> => {
    const query = await openQuery(deps.queries, c.req.param('id') ?? '', me(c));
    if (!query) return notFound(c);
    if (!isOwner(query, me(c))) {
      const why = 'Only its owner can change or delete a query: Save keeps a copy of your own.';
      return c.html(layout(pageContext(c), 'Not allowed', message('error', why)), 403);
    }
    return query;
  };

  app.post('/q/:id', async (c) => {
    const query = await ownQuery(c);
    if (query instanceof Response) return query;
    const input = inputOf(await c.req.parseBody());
    const problem = savedQueryProblem(input);
    if (problem) return page(c, { ...input, query, owner: true, error: problem }, 400);
    await deps.queries.save(editedSavedQuery(query, input, deps.clock));
    return c.redirect(`/q/${query.id}?saved=1`, 303);
  });

  app.post('/q/:id/delete', async (c) => {
    const query = await ownQuery(c);
    if (query instanceof Response) return query;
    await deps.queries.delete(query.id);
    return c.redirect('/sql?deleted=1', 303);
  });
}

export function sqlRoutes(deps: ExplorerDeps): Hono<ExplorerEnv> {
  const app = new Hono<ExplorerEnv>();
  for (const path of ['/sql', '/sql/*', '/api/sql', '/queries', '/q/*']) app.use(path, requireAccount());
  const pages = editorPages(deps);
  runRoutes(app, pages);
  savedRoutes(app, deps, pages);
  return app;
}
