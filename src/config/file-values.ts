import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { FileValues } from '../core/monitor.js';

/** A secret file is a key, a certificate chain or a token: a few kilobytes. */
const MAX_SECRET_FILE_BYTES = 1024 * 1024;

/**
 * Reads the files a monitor's templates name, once per load: `<<file.path>>` (relative to the
 * monitor file) and `NAME_FILE` for an unset `env.NAME` (the Docker and Kubernetes secrets
 * convention). The values never serialise: JSON, logs and util.inspect show `[file values]`.
 */
export class LoadedFileValues implements FileValues {
  private readonly files = new Map<string, string>();
  private readonly envFiles = new Map<string, string>();
  private readonly read = new Set<string>();

  constructor(private readonly baseDir: string) {}

  file(name: string): string | undefined {
    return this.files.get(name);
  }

  envFile(name: string): string | undefined {
    return this.envFiles.get(name);
  }

  get paths(): readonly string[] {
    return [...this.read];
  }

  /** Reads a `file.` name; returns why it cannot be used, or undefined once it is loaded. */
  loadFile(name: string): string | undefined {
    if (this.files.has(name)) return undefined;
    const file = path.resolve(this.baseDir, name);
    // Watched even when unreadable, so the monitor is loaded again once the file appears.
    this.read.add(file);
    const outcome = readSecretFile(file);
    if ('problem' in outcome) return outcome.problem;
    this.files.set(name, outcome.value);
    return undefined;
  }

  /** Reads the file that `NAME_FILE` names for an unset `env.NAME`; paths are relative to the working directory, as a shell would take them. */
  loadEnvFile(name: string, file: string): string | undefined {
    if (this.envFiles.has(name)) return undefined;
    const absolute = path.resolve(file);
    this.read.add(absolute);
    const outcome = readSecretFile(absolute);
    if ('problem' in outcome) return outcome.problem;
    this.envFiles.set(name, outcome.value);
    return undefined;
  }

  /**
   * The values again from a copy a loader worker sent: structured cloning keeps the fields but
   * not the class. Only the loader hands values between threads; they stay in the process.
   */
  static fromClone(copy: LoadedFileValues): LoadedFileValues {
    const values = new LoadedFileValues(copy.baseDir);
    for (const [name, value] of copy.files) values.files.set(name, value);
    for (const [name, value] of copy.envFiles) values.envFiles.set(name, value);
    for (const file of copy.read) values.read.add(file);
    return values;
  }

  toJSON(): string {
    return '[file values]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[file values]';
  }
}

/** One file's content with its trailing newline removed (editors and `echo` add one; a secret never ends with it). */
export function readSecretFile(file: string): { value: string } | { problem: string } {
  try {
    const stats = statSync(file);
    if (!stats.isFile()) return { problem: `${file} is not a regular file` };
    if (stats.size > MAX_SECRET_FILE_BYTES) return { problem: `${file} is ${stats.size} bytes; secret files are limited to 1 MiB` };
    return { value: readFileSync(file, 'utf8').replace(/\r?\n$/, '') };
  } catch (error) {
    return { problem: `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  }
}
