/** A problem with how stepwatch was called or configured: printed as one line, exit code 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
}

/** What a command hands back to main: the exit code. */
export type ExitCode = 0 | 1 | 2;

export interface CommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

export interface Command {
  summary: string;
  usage: string;
  run(args: string[], io: CommandIO): Promise<ExitCode>;
}
