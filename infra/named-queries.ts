// The repository's saved queries, infra/queries/*.sql: Athena's named queries (constructs/query-workgroup.ts) and
// the explorer's built-in examples read the same files. No CDK here, so the explorer can load it at run time.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const QUERIES_DIR = fileURLToPath(new URL('./queries/', import.meta.url));

export interface NamedQueryFile {
  /** The file name without `.sql`. */
  readonly name: string;
  /** The file's leading `--` comment lines. */
  readonly description: string;
  readonly sql: string;
}

/** Every `*.sql` file of infra/queries/, sorted by name. */
export function namedQueryFiles(dir: string = QUERIES_DIR): NamedQueryFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((file) => {
      const sql = readFileSync(`${dir}${file}`, 'utf8').trim();
      const comment = sql
        .split('\n')
        .filter((line) => line.startsWith('--'))
        .map((line) => line.replace(/^--\s?/, ''));
      return { name: file.replace(/\.sql$/, ''), description: comment.join(' ').slice(0, 1024), sql };
    });
}
