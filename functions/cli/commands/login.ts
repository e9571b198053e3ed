// `spotify-etl login`: authorize a Spotify user (authorization code + PKCE) and store the refresh token.
import { loadConfig } from '#functions/config.js';
import { EtlError } from '#functions/errors.js';
import { EXIT, type Command } from '../command.js';
import { defaultTokenFile, login as authorize } from '../login.js';
import { intOption } from '../terminal.js';

export const login: Command = {
  name: 'login',
  summary: 'authorize a Spotify user (PKCE); stores the refresh token (mode 0600) for playlist sources',
  description:
    'Prints (and tries to open) the consent URL, listens on http://127.0.0.1:<port>/callback and stores the\n' +
    'refresh token in ~/.config/spotify-etl/token.json; later runs use it when SPOTIFY_REFRESH_TOKEN is unset.',
  args: [],
  options: { port: { type: 'string', value: 'port', description: 'the callback port (default 8888)' } },
  examples: ['SPOTIFY_CLIENT_ID=… spotify-etl login'],
  async run({ values, env, io }) {
    const port = intOption('port', values.port, 1, 65535);
    // PKCE proves the login with the code verifier: a client id alone is enough, no secret is needed.
    const settings = loadConfig(env, { pkce: true }).spotify;
    if (!settings.clientId) {
      throw new EtlError('login needs SPOTIFY_CLIENT_ID.', {
        hint: 'Create an app at developer.spotify.com/dashboard, add the redirect URI http://127.0.0.1:8888/callback, then export SPOTIFY_CLIENT_ID.',
      });
    }
    const r = await authorize({
      clientId: settings.clientId,
      accountsUrl: settings.accountsUrl,
      tokenFile: defaultTokenFile(env),
      out: (s) => io.out(s),
      ...(port ? { port } : {}),
    });
    io.out(
      `token stored in ${r.tokenFile} (scopes: ${r.scope}); \`run --source playlist:<id>\` will use it.`,
    );
    return EXIT.ok;
  },
};
