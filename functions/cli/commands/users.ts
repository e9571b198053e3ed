// `spotify-etl users list|grant|revoke|delete|invite`: the explorer's accounts and roles, on the local state.
import { ROLES, type Role } from '#functions/explorer/ports.js';
import { EtlError, UsageError } from '#functions/errors.js';
import { EXIT, formatOption, type Command } from '../command.js';
import { openLocalExplorer } from '../explorer-runtime.js';
import { formatTable } from '../format.js';

const ACTIONS = ['list', 'grant', 'revoke', 'delete', 'invite'] as const;

export const users: Command = {
  name: 'users',
  summary:
    "the explorer's accounts: list them, grant or revoke the editor role, delete one, invite an e-mail",
  description:
    'grant <email> editor gives the editor role (uploads); revoke <email> takes it back (viewer); delete <email>\n' +
    'removes the account and ends its sessions; invite <email> [editor] lets that e-mail sign up under\n' +
    '`serve --invite-only`. Run it while serve is stopped: serve holds the state file.',
  args: [
    { name: 'action', description: ACTIONS.join(' | '), required: true },
    { name: 'email', description: 'the account (or the invited e-mail)' },
    { name: 'role', description: 'viewer or editor (grant, invite)' },
  ],
  options: { format: formatOption('text', 'json') },
  examples: ['spotify-etl users list', 'spotify-etl users grant ana@example.com editor'],
  async run({ args, values, config, io }) {
    const [action, email, roleWord] = args;
    if (!(ACTIONS as readonly string[]).includes(action ?? '')) {
      throw new UsageError(`users needs an action: ${ACTIONS.join(', ')}.`, {
        hint: 'spotify-etl users list',
      });
    }
    if (action !== 'list' && !email) throw new UsageError(`users ${action} needs an e-mail.`);
    const role = (roleWord ?? (action === 'grant' ? 'editor' : 'viewer')) as Role;
    if (!ROLES.includes(role)) throw new UsageError(`"${roleWord}" is not a role: viewer or editor.`);
    const explorer = await openLocalExplorer(config().lakeRoot);
    const { auth, sessions } = explorer.deps;
    try {
      if (action === 'list') {
        const accounts = await auth.list();
        if (values.format === 'json') io.out(JSON.stringify(accounts, null, 2));
        else if (accounts.length === 0)
          io.out('No accounts yet: the first to sign up in `spotify-etl serve` becomes an editor.');
        else
          io.out(
            formatTable(
              ['email', 'role', 'createdAt'],
              accounts.map((a) => ({ ...a })),
            ),
          );
        return EXIT.ok;
      }
      if (action === 'invite') {
        await auth.invite(email!, role);
        io.out(`${email} may sign up (as ${role}), also under serve --invite-only.`);
        return EXIT.ok;
      }
      const account =
        action === 'delete'
          ? await auth.delete(email!)
          : await auth.setRole(email!, action === 'revoke' ? 'viewer' : role);
      if (!account) throw new EtlError(`There is no account ${email}.`, { hint: 'spotify-etl users list' });
      if (action === 'delete') await sessions.deleteForAccount(account.id);
      io.out(
        action === 'delete'
          ? `${account.email} deleted; its sessions ended.`
          : `${account.email} is now ${account.role}.`,
      );
      return EXIT.ok;
    } finally {
      await explorer.close();
    }
  },
};
