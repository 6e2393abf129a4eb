import os from 'node:os';
import { LOCATION_NAME_PATTERN } from '../config/schema.js';

/** What cluster mode needs from the environment; absent without STEPWATCH_DATABASE_URL. */
export interface ClusterSettings {
  databaseUrl: string;
  /** STEPWATCH_LOCATION: instances of one location share the work; default `default`. */
  location: string;
  /** STEPWATCH_INSTANCE: this instance's name in the members table and on runs; default `<hostname>-<pid>`. */
  instance: string;
  /** STEPWATCH_HISTORY_DAYS: runs older than this are pruned from the database; default 14. */
  historyDays: number;
}

/** A cluster setting that cannot work, or a database that cannot be used at start: one line, exit 2. */
export class ClusterConfigError extends Error {}

export const DEFAULT_LOCATION = 'default';
export const DEFAULT_HISTORY_DAYS = 14;
const LOCATION = new RegExp(LOCATION_NAME_PATTERN);
// Printable, no spaces: it is shown on the page and in logs, and must stay one token.
const INSTANCE = /^[\x21-\x7e]{1,128}$/;

/** Reads the cluster settings; undefined when STEPWATCH_DATABASE_URL is unset (one instance, as without cluster mode). */
export function clusterSettings(env: NodeJS.ProcessEnv, defaultInstance = `${os.hostname()}-${process.pid}`): ClusterSettings | undefined {
  const url = env.STEPWATCH_DATABASE_URL;
  if (url === undefined || url === '') return undefined;
  checkDatabaseUrl(url);
  const location = env.STEPWATCH_LOCATION || DEFAULT_LOCATION;
  if (!LOCATION.test(location)) throw new ClusterConfigError(`STEPWATCH_LOCATION must match ${LOCATION_NAME_PATTERN} (it becomes the location label), got '${location}'`);
  const instance = env.STEPWATCH_INSTANCE || defaultInstance;
  if (!INSTANCE.test(instance)) throw new ClusterConfigError(`STEPWATCH_INSTANCE must be 1 to 128 printable characters without spaces, got '${instance}'`);
  const daysText = env.STEPWATCH_HISTORY_DAYS;
  const historyDays = daysText === undefined || daysText === '' ? DEFAULT_HISTORY_DAYS : Number(daysText);
  if (!Number.isInteger(historyDays) || historyDays < 1 || historyDays > 3650) throw new ClusterConfigError(`STEPWATCH_HISTORY_DAYS must be a whole number of days from 1 to 3650, got '${daysText}'`);
  return { databaseUrl: url, location, instance, historyDays };
}

/** The URL's password never appears in a message: only its scheme, host and database do. */
function checkDatabaseUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ClusterConfigError('STEPWATCH_DATABASE_URL is not a URL; use postgres://USER:PASSWORD@HOST:5432/DATABASE');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ClusterConfigError(`STEPWATCH_DATABASE_URL must be a postgres:// URL, got a ${parsed.protocol} URL; use postgres://USER:PASSWORD@HOST:5432/DATABASE`);
  }
  if (parsed.hostname === '') throw new ClusterConfigError('STEPWATCH_DATABASE_URL names no host; use postgres://USER:PASSWORD@HOST:5432/DATABASE');
}

/** Where the database is, for messages: host, port and database, never the credentials. */
export function databaseLabel(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
}
