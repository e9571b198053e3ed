// readSpotifySecret against a mocked Secrets Manager client (no local Secrets Manager server exists).
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { readSpotifySecret, withSpotifySecret } from '#functions/adapters/aws/secrets.js';
import { loadConfig } from '#functions/config.js';
import { ConfigError, EtlError } from '#functions/errors.js';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:spotify-etl/spotify-AbCdEf';
const secrets = mockClient(SecretsManagerClient);
const client = new SecretsManagerClient({ region: 'eu-west-1' });

const holding = (secretString: string | undefined): void => {
  secrets.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: secretString });
};

beforeEach(() => secrets.reset());

describe('readSpotifySecret', () => {
  it('reads client_id, client_secret and refresh_token into camel-case fields', async () => {
    holding(JSON.stringify({ client_id: 'id', client_secret: 'secret', refresh_token: 'token' }));
    await expect(readSpotifySecret(client, ARN)).resolves.toEqual({
      clientId: 'id',
      clientSecret: 'secret',
      refreshToken: 'token',
    });
  });

  it('treats the placeholder the stack creates (empty strings, a generated key) as no credentials', async () => {
    holding(JSON.stringify({ client_id: '', client_secret: ' ', placeholder: 'x7$Kp' }));
    await expect(readSpotifySecret(client, ARN)).resolves.toEqual({});
  });

  it('accepts a refresh token alone and ignores null fields', async () => {
    holding(JSON.stringify({ client_id: 'id', client_secret: null, refresh_token: 'token' }));
    await expect(readSpotifySecret(client, ARN)).resolves.toEqual({ clientId: 'id', refreshToken: 'token' });
  });

  it('fails with an EtlError and a put-secret-value hint on malformed JSON, without echoing the text', async () => {
    holding('{"client_id": "id", "client_secret": "s3cr3t"');
    const error = await readSpotifySecret(client, ARN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EtlError);
    expect((error as EtlError).message).toBe(`The Spotify secret ${ARN} is not valid JSON.`);
    expect((error as EtlError).message).not.toContain('s3cr3t');
    expect((error as EtlError).hint).toContain(`put-secret-value --secret-id ${ARN}`);
  });

  it('fails when the JSON is not an object of strings', async () => {
    holding('["id", "secret"]');
    await expect(readSpotifySecret(client, ARN)).rejects.toThrow(/is not a JSON object/);
    holding(JSON.stringify({ client_id: 42, client_secret: 'secret' }));
    await expect(readSpotifySecret(client, ARN)).rejects.toThrow(/has a number in "client_id"/);
  });

  it('fails when the secret holds binary data only', async () => {
    holding(undefined);
    await expect(readSpotifySecret(client, ARN)).rejects.toThrow(/has no string value/);
  });

  it('wraps a Secrets Manager error with the secret ARN and keeps it as the cause', async () => {
    const notFound = new ResourceNotFoundException({ message: 'not found', $metadata: {} });
    secrets.on(GetSecretValueCommand).rejects(notFound);
    const error = await readSpotifySecret(client, ARN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EtlError);
    expect((error as EtlError).message).toBe(
      `Cannot read the Spotify secret ${ARN}: ResourceNotFoundException.`,
    );
    expect((error as EtlError).cause).toBe(notFound);
  });
});

describe('withSpotifySecret', () => {
  it('fills the Spotify settings from the secret named by SPOTIFY_SECRET_ARN, once', async () => {
    holding(JSON.stringify({ client_id: 'id', client_secret: 'secret' }));
    const config = await withSpotifySecret(loadConfig({ SPOTIFY_SECRET_ARN: ARN }), client);
    expect(config.spotify).toMatchObject({ clientId: 'id', clientSecret: 'secret', refreshToken: undefined });
    expect(Object.isFrozen(config.spotify)).toBe(true);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('leaves the configuration alone (and calls nothing) without an ARN', async () => {
    const config = loadConfig({});
    await expect(withSpotifySecret(config, client)).resolves.toBe(config);
    expect(secrets.calls()).toHaveLength(0);
  });

  it('keeps the environment when the secret is still the placeholder', async () => {
    holding(JSON.stringify({ client_id: '', client_secret: '', placeholder: 'x' }));
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
    holding(JSON.stringify({ client_id: 'id' }));
    await expect(withSpotifySecret(loadConfig({ SPOTIFY_SECRET_ARN: ARN }), client)).rejects.toThrow(
      ConfigError,
    );
  });
});
