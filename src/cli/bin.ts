#!/usr/bin/env node
import type { CommandIO } from './cli-error.js';
import { main } from './main.js';

// A reader that went away (`stepwatch validate | head -1`) ends the output, not the command.
let stdoutOpen = true;
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  stdoutOpen = false;
});

const io: CommandIO = {
  stdout: (text) => stdoutOpen && process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
};

main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // An unknown error is a bug: say so loudly, with the stack, so it can be reported.
    process.stderr.write(`stepwatch: internal error, please report it:\n${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 70;
  },
);
