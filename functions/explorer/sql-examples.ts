// The SQL editor's built-in examples: the repository's saved queries (infra/queries/*.sql), the same files Athena's
// named queries are made of, read once.
import { namedQueryFiles, type NamedQueryFile } from '#infra/named-queries.js';

let examples: readonly NamedQueryFile[] | undefined;

export function sqlExamples(): readonly NamedQueryFile[] {
  examples ??= namedQueryFiles();
  return examples;
}

export const sqlExample = (name: string): NamedQueryFile | undefined =>
  sqlExamples().find((e) => e.name === name);
