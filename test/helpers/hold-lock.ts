// A child process for the lake-lock tests: holds the lock of <lake> for <ms>, saying when it got and left it.
import { FolderLakeLock } from '#functions/adapters/local/lake-lock.js';

const [lake = '', ms = '0', mode = 'socket'] = process.argv.slice(2);
const lock = new FolderLakeLock(lake, {
  command: 'hold-lock',
  useFile: mode === 'file',
  pollMs: 10,
  onWait: (holder) => process.stdout.write(`waiting ${holder?.pid ?? '?'}\n`),
});
await lock.hold(async () => {
  process.stdout.write(`held ${Date.now()}\n`);
  await new Promise((resolve) => setTimeout(resolve, Number(ms)));
  process.stdout.write(`released ${Date.now()}\n`);
});
