import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

/** A child process whose stdout is read line by line, for tests that wait for what it says. */
export interface LineChild {
  child: ChildProcess;
  lines: string[];
  /** Resolves once `count` lines have come; fails clearly when the child exits first or `timeoutMs` passes. */
  waitForLines(count: number, timeoutMs?: number): Promise<string[]>;
  /** Kills it (SIGKILL unless told) and resolves once it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts a TypeScript file of test/support in its own Node process (with tsx). */
export function spawnTs(file: string, args: string[]): LineChild {
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdout?.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    for (const wake of waiters) wake();
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let done = false;
  void exited.then(() => {
    done = true;
    for (const wake of waiters) wake();
  });
  return {
    child,
    lines,
    waitForLines(count, timeoutMs = 90_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`${file} printed ${lines.length} of ${count} lines within ${timeoutMs} ms: ${JSON.stringify(lines)}\n${stderr}`)), timeoutMs);
        const finish = (error?: Error) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (error) reject(error);
          else resolve(lines.slice(0, count));
        };
        const check = () => {
          if (lines.length >= count) finish();
          else if (done) finish(new Error(`${file} exited (code ${child.exitCode}) after ${lines.length} of ${count} lines: ${JSON.stringify(lines)}\n${stderr}`));
        };
        waiters.add(check);
        check();
      });
    },
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
