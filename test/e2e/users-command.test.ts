// `spotify-etl users` on the explorer's state: list, grant, revoke, invite, delete (with the account's sessions),
// and `serve` refusing a lake whose state another process holds.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { cliInProcess, withoutSpotifyEnvironment } from '../helpers/cli.js';
import { GOOD_PASSWORD, TestBrowser, testExplorer } from '../helpers/explorer.js';
import { repoRoot, tempDir } from '../helpers/paths.js';

withoutSpotifyEnvironment();

/** A lake whose explorer state holds ana (editor, signed in once) and ben (viewer). */
async function lakeWithAccounts(): Promise<string> {
  const t = await testExplorer();
  await new TestBrowser(t.app).signUp('ana@example.com');
  await new TestBrowser(t.app).signUp('ben@example.com');
  await t.close();
  return t.lakeRoot;
}

describe('spotify-etl users', () => {
  it('lists accounts, grants and revokes the editor role, and says so', async () => {
    const lake = await lakeWithAccounts();
    const list = await cliInProcess(['--lake', lake, 'users', 'list', '--format', 'json']);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.out) as { email: string; role: string }[]).map((a) => [a.email, a.role])).toEqual(
      [
        ['ana@example.com', 'editor'],
        ['ben@example.com', 'viewer'],
      ],
    );
    expect(await cliInProcess(['--lake', lake, 'users', 'grant', 'BEN@example.com'])).toEqual({
      code: 0,
      out: 'ben@example.com is now editor.',
    });
    expect((await cliInProcess(['--lake', lake, 'users', 'revoke', 'ana@example.com'])).out).toBe(
      'ana@example.com is now viewer.',
    );
    const text = await cliInProcess(['--lake', lake, 'users', 'list']);
    expect(text.out).toMatch(/ana@example\.com\s+viewer/);
    expect(text.out).toMatch(/ben@example\.com\s+editor/);
  });

  it('deletes an account and ends its sessions; an unknown e-mail or action is a clear error', async () => {
    const t = await testExplorer();
    const ana = new TestBrowser(t.app);
    await ana.signUp('ana@example.com');
    await t.close();
    expect((await cliInProcess(['--lake', t.lakeRoot, 'users', 'delete', 'ana@example.com'])).out).toBe(
      'ana@example.com deleted; its sessions ended.',
    );
    const again = await testExplorer({}, t.lakeRoot);
    const browser = new TestBrowser(again.app);
    browser.cookie = ana.cookie;
    expect(await (await browser.get('/signin')).text()).not.toContain('ana@example.com');
    expect((await new TestBrowser(again.app).signIn('ana@example.com', GOOD_PASSWORD)).status).toBe(401);
    await again.close();

    // main() throws what runCli prints as "error: …" with the exit code of its class (1 failed, 2 usage).
    await expect(
      cliInProcess(['--lake', t.lakeRoot, 'users', 'grant', 'nobody@example.com']),
    ).rejects.toThrow(
      expect.objectContaining({ name: 'EtlError', message: 'There is no account nobody@example.com.' }),
    );
    await expect(cliInProcess(['--lake', t.lakeRoot, 'users', 'promote'])).rejects.toThrow(
      expect.objectContaining({
        name: 'UsageError',
        message: 'users needs an action: list, grant, revoke, delete, invite.',
      }),
    );
  });

  it('refuses a second process on the same explorer state with a message saying why', async () => {
    const lake = await tempDir('explorer-serve-');
    const server = spawn(
      process.execPath,
      [join(repoRoot, 'bin/spotify-etl.js'), '--lake', lake, 'serve', '--port', '0'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    server.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    try {
      for (let i = 0; i < 200 && !stderr.includes('explorer on http://'); i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(stderr).toMatch(/explorer on http:\/\/127\.0\.0\.1:\d+\//);
      const second = await cliInProcess(['--lake', lake, 'users', 'list']).catch((e: unknown) => e);
      expect(second).toMatchObject({
        message: expect.stringContaining(
          'is in use by another process (a second serve?)',
        ) as unknown as string,
        hint: expect.stringContaining('Stop the other `spotify-etl serve` on this lake') as unknown as string,
      });
    } finally {
      server.kill('SIGINT');
      await once(server, 'exit');
    }
    expect(stderr).toContain('explorer stopped');
  });
});
