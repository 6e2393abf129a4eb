import { readFileSync } from 'node:fs';
import type { Command, CommandIO, ExitCode } from './cli-error.js';
import { UsageError } from './cli-error.js';
import { CorruptStoreError } from '../oauth2/refresh-token-store.js';
import { ClusterConfigError } from '../cluster/cluster-settings.js';
import { authorizeCommand } from './commands/authorize.js';
import { demoCommand } from './commands/demo.js';
import { runCommand } from './commands/run.js';
import { startCommand } from './commands/start.js';
import { validateCommand } from './commands/validate.js';

const commands: Record<string, Command> = {
  validate: validateCommand,
  run: runCommand,
  start: startCommand,
  demo: demoCommand,
  authorize: authorizeCommand,
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function overview(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`);
  return `stepwatch: synthetic monitoring of API flows, with Prometheus metrics

Usage: stepwatch <command> [options]

Commands:
${lines.join('\n')}

stepwatch <command> --help shows a command's options.
`;
}

/** The CLI's one edge: errors become one line and an exit code, never a stack trace. */
export async function main(argv: string[], io: CommandIO): Promise<ExitCode> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(overview());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${version()}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`stepwatch: unknown command '${name}'; commands: ${Object.keys(commands).join(', ')}\n`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof CorruptStoreError || error instanceof ClusterConfigError) {
      io.stderr(`stepwatch ${name}: ${error.message}\n`);
      return 2;
    }
    const err = error as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') {
      io.stderr(`stepwatch ${name}: the address is already in use (${err.message.replace(/^.*EADDRINUSE:?\s*/, '')}); choose another --port\n`);
      return 2;
    }
    throw error;
  }
}
