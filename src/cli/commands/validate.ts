import { formatDiagnostic } from '../../config/diagnostics.js';
import type { Command } from '../cli-error.js';
import { loadForCommand } from '../load-monitors.js';
import { envDefaults, parseCommandArgs } from '../options.js';

export const validateCommand: Command = {
  summary: 'check monitor files and print every problem as file:line:col: message',
  usage: `Usage: stepwatch validate [PATH...]

Checks monitor files (a PATH is a file or a folder, searched recursively; default: the
monitors folder, $STEPWATCH_MONITORS or ./monitors). Prints one line per problem.
A file that takes longer than $STEPWATCH_LOAD_TIMEOUT_SECONDS (default 10) to load is invalid.
Exit codes: 0 all valid, 2 something is invalid.`,
  async run(args, io) {
    const { positionals } = parseCommandArgs('validate', args, {});
    const paths = positionals.length > 0 ? positionals : [envDefaults(io.env).monitors];
    const catalog = await loadForCommand(paths, io.env);
    const invalid = catalog.invalid();
    for (const doc of invalid) for (const diagnostic of doc.diagnostics) io.stdout(`${formatDiagnostic(diagnostic)}\n`);
    const monitors = catalog.monitors().length;
    if (invalid.length === 0) {
      io.stdout(`${monitors} monitor${monitors === 1 ? '' : 's'} valid\n`);
      return 0;
    }
    const problems = invalid.reduce((n, doc) => n + doc.diagnostics.length, 0);
    io.stdout(`${problems} problem${problems === 1 ? '' : 's'} in ${invalid.length} invalid monitor document${invalid.length === 1 ? '' : 's'}; ${monitors} valid\n`);
    return 2;
  },
};
