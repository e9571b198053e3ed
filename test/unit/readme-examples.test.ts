// "Schema validation in CI": the README's example records validate, and the example song row is what the
// transformer makes of the example raw record.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { validators } from '#functions/core/schemas.js';
import { splitRecord } from '#functions/core/split.js';
import type { RawTrackRecord } from '#functions/core/record-types.js';
import { repoRoot } from '../helpers/paths.js';

async function examples(): Promise<Map<string, unknown>> {
  const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
  const found = new Map<string, unknown>();
  for (const m of readme.matchAll(/<!-- schema: ([a-z-]+) -->\s*```json\n([\s\S]*?)```/g)) {
    found.set(m[1] ?? '', JSON.parse(m[2] ?? ''));
  }
  return found;
}

describe('README example records', () => {
  it('validate against schemas/ and agree with the transformer', async () => {
    const found = await examples();
    expect([...found.keys()].sort()).toEqual(['raw-track-record', 'song-row']);
    const raw = found.get('raw-track-record');
    expect(validators.rawTrackRecord(raw)).toBe(true);
    expect(validators.songRow(found.get('song-row'))).toBe(true);
    const split = splitRecord(raw as RawTrackRecord);
    expect('rows' in split && split.rows.song).toEqual(found.get('song-row'));
  });
});
