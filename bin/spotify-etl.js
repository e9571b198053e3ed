#!/usr/bin/env node
// The `spotify-etl` command: runs the TypeScript CLI through tsx (no build step needed).
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../functions/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
