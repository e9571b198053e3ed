import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generatedFiles } from '#scripts/gen-types.js';
import { schemas, validators } from '#functions/core/schemas.js';
import { createAjv } from '#functions/core/ajv.js';
import { loadConfig } from '#functions/config.js';
import { ConfigError } from '#functions/errors.js';
import { repoRoot } from '../helpers/paths.js';

describe('schemas/ is the one source of truth', () => {
  it('every schema compiles in ajv strict mode', () => {
    for (const schema of Object.values(schemas)) expect(() => createAjv().compile(schema)).not.toThrow();
  });

  it('the committed types and standalone validators are what the schemas generate (run `npm run gen:types` when this fails)', async () => {
    for (const [name, text] of Object.entries(await generatedFiles())) {
      expect([name, await readFile(join(repoRoot, 'functions/core/generated', name), 'utf8')]).toEqual([
        name,
        text,
      ]);
    }
  });

  it('the standalone validators judge as ajv compiling the schemas does', () => {
    const ajv = createAjv();
    const record = {
      schema_version: 1,
      snapshot_date: '2026-02-30',
      extracted_at: 'yesterday',
      run_id: '',
      source: { kind: 'demo', id: 'x', region: null },
      position: 0,
      track: { name: 'x', type: 'podcast' },
    };
    const compiled = ajv.compile(schemas.rawTrackRecord);
    expect(validators.rawTrackRecord(record)).toBe(compiled(record));
    expect(validators.rawTrackRecord.errors?.map((e) => `${e.instancePath} ${e.keyword}`)).toEqual(
      compiled.errors?.map((e) => `${e.instancePath} ${e.keyword}`),
    );
    expect(validators.rawTrackRecord.errors?.length).toBeGreaterThanOrEqual(5);
  });

  it('rejects a raw record with an unknown envelope field', () => {
    const ok = validators.rawTrackRecord({
      schema_version: 1,
      snapshot_date: '2026-01-01',
      extracted_at: '2026-01-01T16:00:00Z',
      run_id: 'r',
      source: { kind: 'demo', id: 'x', region: null },
      position: 1,
      track: null,
      colour: 'red',
    });
    expect(ok).toBe(false);
    expect(validators.rawTrackRecord.errors?.[0]?.keyword).toBe('additionalProperties');
  });
});

describe('configuration', () => {
  it('applies defaults and freezes the result', () => {
    const c = loadConfig({});
    expect(c.spotify.apiUrl).toBe('https://api.spotify.com/v1');
    expect(c.spotify.accountsUrl).toBe('https://accounts.spotify.com');
    expect(c.lakeRoot).toBe('./lake');
    expect(c.checkDays).toBe(3);
    expect(c.logLevel).toBe('INFO');
    expect(loadConfig({ LOG_LEVEL: 'warn' }).logLevel).toBe('WARN');
    expect(c.aws.athenaWorkGroup).toBeUndefined();
    expect(Object.isFrozen(c) && Object.isFrozen(c.spotify)).toBe(true);
  });

  it.each([
    [{ SPOTIFY_CONCURRENCY: '0' }, /SPOTIFY_CONCURRENCY="0" is not valid: expected an integer from 1 to 32/],
    [{ SPOTIFY_API_URL: 'ftp://x' }, /SPOTIFY_API_URL="ftp:\/\/x" is not valid/],
    [{ CHART_SOURCE: 'top50' }, /CHART_SOURCE="top50" is not valid/],
    [
      { SPOTIFY_CLIENT_ID: 'only-id' },
      /SPOTIFY_CLIENT_ID is set without SPOTIFY_CLIENT_SECRET, and no user token is stored/,
    ],
    [{ SPOTIFY_CLIENT_SECRET: 'only-secret' }, /SPOTIFY_CLIENT_SECRET is set without SPOTIFY_CLIENT_ID/],
    [{ SPOTIFY_FULL_ENTITIES: 'maybe' }, /expected true or false/],
    [{ CHECK_DAYS: '0' }, /CHECK_DAYS="0" is not valid: expected an integer from 1 to 31/],
    [
      { ATHENA_WORKGROUP: 'spotify etl' },
      /ATHENA_WORKGROUP="spotify etl" is not valid: expected an Athena workgroup/,
    ],
    [{ GLUE_DATABASE: 'Spotify-ETL' }, /GLUE_DATABASE="Spotify-ETL" is not valid/],
    [
      { LOG_LEVEL: 'verbose' },
      /LOG_LEVEL="VERBOSE" is not valid: expected one of DEBUG, INFO, WARN, ERROR, SILENT/,
    ],
  ])('fails at start on %p, naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('takes a client id alone for the PKCE login, and points every other use at login or the secret', () => {
    const c = loadConfig({ SPOTIFY_CLIENT_ID: 'only-id' }, { pkce: true });
    expect(c.spotify).toMatchObject({
      clientId: 'only-id',
      clientSecret: undefined,
      refreshToken: undefined,
    });
    expect(() => loadConfig({ SPOTIFY_CLIENT_ID: 'only-id' })).toThrow(
      expect.objectContaining({ hint: expect.stringMatching(/spotify-etl login/) as unknown as string }),
    );
    // With the token `login` stored (main puts it in SPOTIFY_REFRESH_TOKEN), the id alone serves `run`.
    expect(
      loadConfig({ SPOTIFY_CLIENT_ID: 'only-id', SPOTIFY_REFRESH_TOKEN: 'AQx' }).spotify.refreshToken,
    ).toBe('AQx');
  });
});
