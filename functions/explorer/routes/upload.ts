// Upload a chart (editors only): the file is checked (uploads.ts) before anything is written, then handed to the
// ChartUploads port, which runs it through the pipeline; the page shows the run's summary. Each upload, refused
// ones included, is in the audit log.
import { Hono } from 'hono';
import type { ExplorerContext, ExplorerEnv } from '../app.js';
import { pageContext, requireAccount } from '../app.js';
import type { Account, ExplorerDeps, UploadSummary } from '../ports.js';
import { MAX_UPLOAD_BYTES, checkUpload, uploadName } from '../uploads.js';
import { uploadPage } from '../views/upload.js';

/** Room for the multipart framing and the CSRF field around the file. */
const FORM_OVERHEAD = 64 * 1024;

const describe = (s: UploadSummary): string =>
  `${s.fileName}: ${s.chartId} ${s.date}, ${s.entries} entries, ${s.setAside.length} set aside, ` +
  `${s.rowsWritten} rows written, ${s.rejectedLines} rejected, ${s.complete ? 'complete' : 'not complete'}`;

export function uploadRoutes(deps: ExplorerDeps): Hono<ExplorerEnv> {
  const app = new Hono<ExplorerEnv>();
  app.use('/upload', requireAccount('editor'));

  const audit = (c: ExplorerContext, account: Account, detail: string) =>
    deps.audit.record({
      at: deps.clock.now().toISOString(),
      kind: 'upload',
      accountId: account.id,
      email: account.email,
      client: c.get('client'),
      detail,
    });

  app.get('/upload', (c) => c.html(uploadPage(pageContext(c, 'upload'), {})));

  app.post('/upload', async (c) => {
    const account = c.get('account')!;
    const ctx = pageContext(c, 'upload');
    if (Number(c.req.header('content-length') ?? 0) > MAX_UPLOAD_BYTES + FORM_OVERHEAD) {
      const error = `The upload is larger than ${MAX_UPLOAD_BYTES / 2 ** 20} MiB, the most a chart file may be.`;
      await audit(c, account, `refused: ${error}`);
      return c.html(uploadPage(ctx, { error }), 413);
    }
    const file = (await c.req.parseBody()).chart;
    if (!(file instanceof File)) {
      return c.html(uploadPage(ctx, { error: 'Choose a chart file to upload.' }), 400);
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const check = checkUpload(file.name, bytes);
    if (!check.ok) {
      await audit(c, account, `refused ${uploadName(file.name)}: ${check.message}`);
      return c.html(
        uploadPage(ctx, { error: check.message, ...(check.hint ? { hint: check.hint } : {}) }),
        check.status,
      );
    }
    const summary = await deps.uploads.submit(check.fileName, bytes, account);
    await audit(c, account, describe(summary));
    return c.html(uploadPage(ctx, { summary }));
  });
  return app;
}
