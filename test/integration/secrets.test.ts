// readSpotifySecret and withSpotifySecret against the AWS emulator's Secrets Manager (moto): the secret as the
// stack creates it, then each value a user may put into it.
import { jest } from '@jest/globals';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  readSpotifySecret,
  refreshingSpotifySecret,
  SECRET_MAX_AGE_MS,
  withSpotifySecret,
} from '#functions/adapters/aws/secrets.js';
import { spotifyForEachInvocation } from '#functions/adapters/aws/dependencies.js';
import { silentLogger } from '#functions/ports.js';
import { fakeClock } from '../helpers/paths.js';
import { loadConfig } from '#functions/config.js';
import { ConfigError, EtlError } from '#functions/errors.js';
import { startMoto, type RunningMoto } from '../helpers/moto.js';

let moto: RunningMoto;
let client: SecretsManagerClient;
let ARN: string;

beforeAll(async () => {
  moto = await startMoto();
  client = new SecretsManagerClient(moto.clientConfig);
  const created = await client.send(
    new CreateSecretCommand({
      Name: 'spotify-etl/spotify',
      SecretString: '{"client_id":"","client_secret":""}',
    }),
  );
  ARN = created.ARN ?? '';
});

afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});

/** Puts a new current value into the secret: a string, or (undefined) a binary value only. */
const holding = async (secretString: string | undefined): Promise<void> => {
  await client.send(
    new PutSecretValueCommand(
      secretString === undefined
        ? { SecretId: ARN, SecretBinary: new Uint8Array([1, 2, 3]) }
        : { SecretId: ARN, SecretString: secretString },
    ),
  );
};

/** Counts the client's calls from here on (the emulator does not). */
const countCalls = () => jest.spyOn(client, 'send');

afterEach(() => {
  jest.restoreAllMocks();
});

describe('readSpotifySecret', () => {
  it('reads client_id, client_secret and refresh_token into camel-case fields', async () => {
    await holding(JSON.stringify({ client_id: 'id', client_secret: 'secret', refresh_token: 'token' }));
    await expect(readSpotifySecret(client, ARN)).resolves.toEqual({
      clientId: 'id',
      clientSecret: 'secret',
      refreshToken: 'token',
    });
  });

  it('treats the placeholder the stack creates (empty strings, a generated key) as no credentials', async () => {
    await holding(JSON.stringify({ client_id: '', client_secret: ' ', placeholder: 'x7$Kp' }));
    await expect(readSpotifySecret(client, ARN)).resolves.toEqual({});
  });

  it('accepts a refresh token alone and ignores null fields', async () => {
    await holding(JSON.stringify({ client_id: 'id', client_secret: null, refresh_token: 'token' }));
    await expect(readSpotifySecret(client, ARN)).resolves.toEqual({ clientId: 'id', refreshToken: 'token' });
  });

  it('fails with an EtlError and a put-secret-value hint on malformed JSON, without echoing the text', async () => {
    await holding('{"client_id": "id", "client_secret": "s3cr3t"');
    const error = await readSpotifySecret(client, ARN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EtlError);
    expect((error as EtlError).message).toBe(`The Spotify secret ${ARN} is not valid JSON.`);
    expect((error as EtlError).message).not.toContain('s3cr3t');
    expect((error as EtlError).hint).toContain(`put-secret-value --secret-id ${ARN}`);
  });

  it('fails when the JSON is not an object of strings', async () => {
    await holding('["id", "secret"]');
    await expect(readSpotifySecret(client, ARN)).rejects.toThrow(/is not a JSON object/);
    await holding(JSON.stringify({ client_id: 42, client_secret: 'secret' }));
    await expect(readSpotifySecret(client, ARN)).rejects.toThrow(/has a number in "client_id"/);
  });

  it('fails when the secret holds binary data only', async () => {
    await holding(undefined);
    await expect(readSpotifySecret(client, ARN)).rejects.toThrow(/has no string value/);
  });

  it('wraps a Secrets Manager error with the secret ARN and keeps it as the cause', async () => {
    const missing = ARN.replace('spotify-etl/spotify', 'spotify-etl/missing');
    const error = await readSpotifySecret(client, missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EtlError);
    expect((error as EtlError).message).toBe(
      `Cannot read the Spotify secret ${missing}: ResourceNotFoundException.`,
    );
    expect((error as EtlError).cause).toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('withSpotifySecret', () => {
  it('fills the Spotify settings from the secret named by SPOTIFY_SECRET_ARN, once', async () => {
    await holding(JSON.stringify({ client_id: 'id', client_secret: 'secret' }));
    const calls = countCalls();
    const config = await withSpotifySecret(loadConfig({ SPOTIFY_SECRET_ARN: ARN }), client);
    expect(config.spotify).toMatchObject({ clientId: 'id', clientSecret: 'secret', refreshToken: undefined });
    expect(Object.isFrozen(config.spotify)).toBe(true);
    expect(calls).toHaveBeenCalledTimes(1);
  });

  it('leaves the configuration alone (and calls nothing) without an ARN', async () => {
    const config = loadConfig({});
    const calls = countCalls();
    await expect(withSpotifySecret(config, client)).resolves.toBe(config);
    expect(calls).not.toHaveBeenCalled();
  });

  it('keeps the environment when the secret is still the placeholder', async () => {
    await holding(JSON.stringify({ client_id: '', client_secret: '', placeholder: 'x' }));
    const config = await withSpotifySecret(
      loadConfig({
        SPOTIFY_SECRET_ARN: ARN,
        SPOTIFY_CLIENT_ID: 'env-id',
        SPOTIFY_CLIENT_SECRET: 'env-secret',
      }),
      client,
    );
    expect(config.spotify).toMatchObject({ clientId: 'env-id', clientSecret: 'env-secret' });
  });

  it('refuses a client_id without its client_secret, as loadConfig does for the environment', async () => {
    await holding(JSON.stringify({ client_id: 'id' }));
    await expect(withSpotifySecret(loadConfig({ SPOTIFY_SECRET_ARN: ARN }), client)).rejects.toThrow(
      ConfigError,
    );
  });
});

describe('refreshingSpotifySecret (a warm container)', () => {
  it('keeps what it read for five minutes, then reads the value put meanwhile', async () => {
    await holding(JSON.stringify({ client_id: 'old-id', client_secret: 'old-secret' }));
    const clock = fakeClock();
    const current = refreshingSpotifySecret(loadConfig({ SPOTIFY_SECRET_ARN: ARN }), client, { clock });
    expect((await current()).spotify.clientId).toBe('old-id');
    await holding(JSON.stringify({ client_id: 'new-id', client_secret: 'new-secret' }));
    const calls = countCalls();
    clock.advance(SECRET_MAX_AGE_MS - 1);
    expect((await current()).spotify.clientId).toBe('old-id');
    expect(calls).not.toHaveBeenCalled();
    clock.advance(1);
    expect((await current()).spotify).toMatchObject({ clientId: 'new-id', clientSecret: 'new-secret' });
    expect(calls).toHaveBeenCalledTimes(1);
  });

  it('does not keep a failed read: the next call reads again', async () => {
    await holding('not json');
    const current = refreshingSpotifySecret(loadConfig({ SPOTIFY_SECRET_ARN: ARN }), client, {
      clock: fakeClock(),
    });
    await expect(current()).rejects.toThrow(/is not valid JSON/);
    await holding(JSON.stringify({ client_id: 'id', client_secret: 'secret' }));
    expect((await current()).spotify.clientId).toBe('id');
  });

  it('gives the extractor the same Spotify client while the credentials stay, and a new one after they change', async () => {
    await holding(JSON.stringify({ client_id: 'id', client_secret: 'secret' }));
    const clock = fakeClock();
    const spotify = spotifyForEachInvocation(
      refreshingSpotifySecret(loadConfig({ SPOTIFY_SECRET_ARN: ARN }), client, { clock }),
      silentLogger,
    );
    const [settings, first] = await spotify();
    expect(settings.clientId).toBe('id');
    clock.advance(SECRET_MAX_AGE_MS);
    expect((await spotify())[1]).toBe(first); // read again, unchanged: same client, same token
    await holding(JSON.stringify({ client_id: 'id', client_secret: 'rotated' }));
    clock.advance(SECRET_MAX_AGE_MS);
    const [rotated, second] = await spotify();
    expect(rotated.clientSecret).toBe('rotated');
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
  });
});
