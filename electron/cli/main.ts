#!/usr/bin/env node
// `latchkey`: the same engine as the desktop app, without a window. For cron,
// systemd timers, scripts and the tests. Errors print one line and exit 1
// (2 for a usage error).
import { runCli } from './cli.js';

const code = await runCli(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  env: process.env,
});
if (code !== 'serving') process.exitCode = code;
