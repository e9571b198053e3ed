// The ajv set-up the validators are generated with (scripts/gen-types.ts) and the schema tests compile with.
import { Ajv2020, type Options } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats ships CJS with a default export that ESM sees under `.default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020, options?: { mode?: 'fast' | 'full' }) => Ajv2020;

/** strict mode: an unknown keyword or a loose type in a schema is an error, not a silent pass. */
export function createAjv(options: Options = {}): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true, ...options });
  // full: a date must be a real calendar day (fast mode checks digit shapes only, so 2024-02-30 would pass).
  addFormats(ajv, { mode: 'full' });
  return ajv;
}
