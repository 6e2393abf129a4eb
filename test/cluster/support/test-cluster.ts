// Three (or more) `stepwatch start` processes, the built CLI as users run it, sharing one fresh
// PostgreSQL database and one monitors folder: counting monitors and, when asked, a refresh-token
// monitor, every second against the cluster's own test API. Instances are started, stopped,
// paused and restarted by name; a restarted instance keeps its name (a pod that comes back).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { startCli } from '../../support/cli.js';
import { createTestDatabase } from '../../support/postgres.js';
import type { TestDatabase } from '../../support/postgres.js';
import { closedPort } from '../../support/servers.js';
import { startClusterApi, TOKEN_MONITOR } from './cluster-api.js';
import type { ClusterApi } from './cluster-api.js';
import { startDatabaseProxy } from './database-proxy.js';
import type { DatabaseProxy } from './database-proxy.js';

export interface Instance {
  name: string;
  url: string;
  cli: ReturnType<typeof startCli>;
  /** Set when the instance reaches PostgreSQL through a proxy the test can cut. */
  proxy?: DatabaseProxy;
}

export interface TestCluster {
  name: string;
  database: TestDatabase;
  api: ClusterApi;
  monitors: string[];
  /** The process running under each name now. */
  instances: Map<string, Instance>;
  /** Starts (or starts again) the instance of that name and resolves once its /readyz says 200. */
  start(name: string): Promise<Instance>;
  /** Sends the signal and resolves with the exit code once the process is gone. */
  stop(name: string, signal: 'SIGTERM' | 'SIGKILL'): Promise<number | null>;
  /** What every process started so far printed (killed and restarted ones included), in start order: for a failing story's message. */
  logs(): string;
  /** The scheduled ticks claimed so far (who claimed which tick of which monitor), from the cluster's database. */
  claims(): Promise<Claim[]>;
  close(): Promise<void>;
}

/** A row of stepwatch_claims: `instance` claimed the tick of `monitor` scheduled at `at` (ms since the epoch). */
export interface Claim {
  monitor: string;
  at: number;
  instance: string;
}

const countingMonitor = (name: string) => `name: ${name}
schedule: "* * * * * *"
timeout: 5s
steps:
  - name: Count this tick
    request:
      url: <<env.CLUSTER_API>>/tick
      query: { monitor: ${name}, instance: <<env.STEPWATCH_INSTANCE>> }
      timeout: 3s
`;

const tokenMonitor = `name: ${TOKEN_MONITOR}
schedule: "* * * * * *"
timeout: 5s
steps:
  - name: Refresh the token
    oauth2:
      tokenUrl: <<env.CLUSTER_API>>/token
      grant: refresh_token
      clientId: cluster-test
      refreshToken: <<env.REFRESH_TOKEN>>
      params: { instance: <<env.STEPWATCH_INSTANCE>> }
      timeout: 3s
`;

export interface ClusterOptions {
  name: string;
  countingMonitors: number;
  withTokenMonitor?: boolean;
  /** Every instance reaches PostgreSQL through a proxy of its own. */
  proxied?: boolean;
  size?: number;
}

/** Resolves once the instance's /readyz answers 200, or fails naming what the instance printed. */
async function ready(instance: Instance, timeoutMs = 60_000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(`${instance.url}/readyz`, { signal: AbortSignal.timeout(2_000) }).then((res) => res.status, () => 0);
    if (status === 200) return;
    if (instance.cli.child.exitCode !== null) throw new Error(`${instance.name} exited with ${instance.cli.child.exitCode}:\n${instance.cli.output()}`);
    if (Date.now() > giveUpAt) throw new Error(`${instance.name} not ready within ${timeoutMs} ms (last /readyz: ${status}):\n${instance.cli.output()}`);
    await sleep(100);
  }
}

export async function startTestCluster(options: ClusterOptions): Promise<TestCluster> {
  const database = await createTestDatabase();
  const api = await startClusterApi();
  const dir = mkdtempSync(path.join(tmpdir(), `stepwatch-${options.name}-`));
  const monitorsDir = path.join(dir, 'monitors');
  mkdirSync(monitorsDir);
  const monitors = Array.from({ length: options.countingMonitors }, (_, i) => `tick-${String(i + 1).padStart(2, '0')}`);
  for (const monitor of monitors) writeFileSync(path.join(monitorsDir, `${monitor}.yaml`), countingMonitor(monitor));
  if (options.withTokenMonitor) {
    writeFileSync(path.join(monitorsDir, `${TOKEN_MONITOR}.yaml`), tokenMonitor);
    monitors.push(TOKEN_MONITOR);
  }
  const instances = new Map<string, Instance>();
  // Every process started, restarted ones too: a failing story shows what each of them printed.
  const everyProcess: Instance[] = [];
  const proxies = new Map<string, DatabaseProxy>();

  const cluster: TestCluster = {
    name: options.name,
    database,
    api,
    monitors,
    instances,
    async start(name) {
      let proxy = proxies.get(name);
      if (options.proxied && !proxy) proxies.set(name, (proxy = await startDatabaseProxy(database.url)));
      // A port found free can be taken by another process before the instance binds it (seen in
      // CI with four clusters starting at once): that start is tried again on another port.
      for (let attempt = 1; ; attempt++) {
        const port = await closedPort();
        const cli = startCli(['start', '--monitors', monitorsDir, '--port', String(port), '--data-dir', path.join(dir, `data-${name}`)], {
          env: {
            STEPWATCH_DATABASE_URL: proxy ? proxy.route(database.url) : database.url,
            STEPWATCH_INSTANCE: name,
            STEPWATCH_LOG_LEVEL: 'warn',
            // The tick ledger tells a run's tick by the second it arrives in; starts spread over
            // the second (tick-01 starts 0.96 s in) would cross into the next one. These tests are
            // about claims, not the spread (test/unit/scheduler.test.ts covers its claims per bucket).
            STEPWATCH_START_SPREAD_SECONDS: '0',
            CLUSTER_API: api.url,
            REFRESH_TOKEN: api.firstRefreshToken,
          },
        });
        const instance: Instance = { name, url: `http://127.0.0.1:${port}`, cli, proxy };
        instances.set(name, instance);
        everyProcess.push(instance);
        try {
          await ready(instance);
          return instance;
        } catch (error) {
          if (attempt < 3 && cli.child.exitCode === 2 && /address is already in use/.test(cli.output())) continue;
          throw error;
        }
      }
    },
    async stop(name, signal) {
      const instance = instances.get(name);
      if (!instance) throw new Error(`no instance ${name}`);
      instance.cli.child.kill('SIGCONT');
      instance.cli.child.kill(signal);
      return instance.cli.exited;
    },
    logs() {
      return everyProcess.map(({ name, cli }) => `--- ${name} (pid ${cli.child.pid}) ---\n${cli.output()}`).join('\n');
    },
    async claims() {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ monitor: string; at: string; instance: string }>(
          'SELECT monitor, (extract(epoch FROM scheduled_at) * 1000)::bigint AS at, instance FROM stepwatch_claims WHERE NOT manual ORDER BY scheduled_at, monitor',
        );
        return rows.map((row) => ({ monitor: row.monitor, at: Number(row.at), instance: row.instance }));
      } finally {
        await client.end();
      }
    },
    async close() {
      for (const { cli } of instances.values()) {
        cli.child.kill('SIGCONT');
        cli.child.kill('SIGKILL');
        await cli.exited;
      }
      for (const proxy of proxies.values()) await proxy.close();
      await api.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const names = Array.from({ length: options.size ?? 3 }, (_, i) => `${options.name}-${'abcdefgh'[i]}`);
  // On a failed start the instances already up are stopped here: nobody else holds this cluster
  // to close it, and their processes would keep the test file running until its timeout.
  const started = await Promise.allSettled(names.map((name) => cluster.start(name)));
  const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    await cluster.close();
    throw failed.reason;
  }
  return cluster;
}

/** A gauge's value on an instance's /metrics (`name{labels}` as printed), or undefined without a sample. */
export async function gauge(instance: Instance, series: string): Promise<number | undefined> {
  const text = await fetch(`${instance.url}/metrics`, { signal: AbortSignal.timeout(2_000) }).then((res) => res.text(), () => '');
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** The /readyz status of an instance (0 when it does not answer). */
export function readiness(instance: Instance): Promise<number> {
  return fetch(`${instance.url}/readyz`, { signal: AbortSignal.timeout(2_000) }).then((res) => res.status, () => 0);
}
