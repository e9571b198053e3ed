// Writes the README's command table from the commands' own declarations (functions/cli/commands/*.ts), between
// the `<!-- commands -->` and `<!-- /commands -->` markers; `npx prettier --write README.md` aligns it after.
// test/e2e/cli-contract.test.ts fails when the table and the declarations disagree.
import { readFile, writeFile } from 'node:fs/promises';
import { synopsis } from '#functions/cli/command.js';
import { COMMANDS } from '#functions/cli/main.js';

const README = new URL('../README.md', import.meta.url);
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

const rows = COMMANDS.map(
  (c) =>
    `| \`${cell(synopsis(c))}\` | ${cell(c.summary)}${c.description ? `. ${cell(c.description)}` : ''} |`,
);
const table = ['| command | what it does |', '| --- | --- |', ...rows].join('\n');
const text = await readFile(README, 'utf8');
const start = text.indexOf('<!-- commands -->');
const end = text.indexOf('<!-- /commands -->');
if (start < 0 || end < start)
  throw new Error('README.md has no <!-- commands --> … <!-- /commands --> markers');
await writeFile(README, `${text.slice(0, start)}<!-- commands -->\n\n${table}\n\n${text.slice(end)}`);
console.log(`README.md: ${rows.length} commands`);
