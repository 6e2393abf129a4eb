import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-error.js';
import { LOG_LEVELS } from '../logging/logger.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with errors turned into one readable line. */
export function parseCommandArgs<O extends Options>(command: string, args: string[], options: O) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${command}: ${(error as Error).message.split('\n')[0]} (see stepwatch ${command} --help)`);
  }
}

export function portOption(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`port must be a number from 0 to 65535, got '${value}'`);
  return port;
}

export function logLevelOption(value: string | undefined, fallback: string): string {
  const level = value && value !== '' ? value.toLowerCase() : fallback;
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new UsageError(`log level must be one of ${LOG_LEVELS.join(', ')}, got '${value}'`);
  return level;
}

/** Shared defaults from the environment, as the contract names them. */
export function envDefaults(env: NodeJS.ProcessEnv) {
  return {
    monitors: env.STEPWATCH_MONITORS || './monitors',
    host: env.STEPWATCH_HOST || '127.0.0.1',
    port: env.STEPWATCH_PORT,
    dataDir: env.STEPWATCH_DATA_DIR || './data',
    logLevel: env.STEPWATCH_LOG_LEVEL,
  };
}

export function historyOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const size = Number(value);
  if (!Number.isInteger(size) || size < 1 || size > 10_000) throw new UsageError(`--history takes a number of runs from 1 to 10000, got '${value}'`);
  return size;
}

/** STEPWATCH_LOAD_TIMEOUT_SECONDS: how long one monitor file may take to load, in seconds (fractions allowed, at most an hour). */
export function loadTimeoutOption(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) throw new UsageError(`STEPWATCH_LOAD_TIMEOUT_SECONDS must be a number of seconds above 0 and at most 3600, got '${value}'`);
  return seconds * 1000;
}

/** STEPWATCH_START_SPREAD_SECONDS: the window, in seconds, each monitor's start is spread over after its tick (0: off, at most an hour); unset means the scheduler's default. */
export function startSpreadOption(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 3600) throw new UsageError(`STEPWATCH_START_SPREAD_SECONDS must be a number of seconds from 0 (no spread) to 3600, got '${value}'`);
  return Math.round(seconds * 1000);
}

/** STEPWATCH_MAX_CONCURRENT_RUNS: a whole number of runs from 1 up; unset means the daemon's default. */
export function maxConcurrentRunsOption(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const max = Number(value);
  if (!Number.isInteger(max) || max < 1) throw new UsageError(`STEPWATCH_MAX_CONCURRENT_RUNS must be a whole number of runs, at least 1, got '${value}'`);
  return max;
}
