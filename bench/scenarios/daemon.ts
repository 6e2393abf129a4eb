// Scenario 2: `stepwatch start` end to end (scheduler, metrics, status store, logs at info),
// N monitors each every second, measured as the daemon process's CPU per completed flow, beside
// the same load driven by the raw client and by the runner in library mode, and by
// blackbox_exporter probing the same flow (when installed). Each variant runs in its own process
// in turn, rounds interleaved with the order rotating; completed flows are counted by the target.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_ENV, BODIES, flowYaml } from '../flow-monitor.js';
import { freePort, machine, median, printTable, processCpuMs, processRssMb, sleep, startTarget, stopChild, waitFor, writeResult } from '../support.js';
import type { Target } from '../support.js';

const BLACKBOX = '/usr/bin/prometheus-blackbox-exporter';
const root = fileURLToPath(new URL('../../', import.meta.url));

interface Running {
  pid: number;
  /** Cumulative runs the variant itself judged failed or skipped, when it can tell. */
  failures(): Promise<{ failed: number; skipped: number }>;
  stop(): Promise<void>;
}

interface Variant {
  name: string;
  start(target: Target, dir: string, monitors: number): Promise<Running>;
}

export async function daemon(options: { monitors: number; seconds: number; rounds: number; warmupSeconds: number }): Promise<void> {
  const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed; the daemon row runs dist/');
  const variants = [raw('raw client', 'raw'), raw('runner, library mode', 'library'), stepwatchStart(), ...(blackboxInstalled() ? [blackbox()] : [])];
  const target = await startTarget();
  const dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-daemon-bench-'));
  const samples = new Map<string, Array<{ cpuMsPerFlow: number; flowsPerS: number; rssMb: number; failed: number; skipped: number }>>();
  try {
    writeMonitors(path.join(dir, 'monitors'), options.monitors);
    for (let round = 0; round < options.rounds; round++) {
      const rotated = [...variants.slice(round % variants.length), ...variants.slice(0, round % variants.length)];
      for (const variant of rotated) {
        const running = await variant.start(target, dir, options.monitors);
        try {
          await sleep(options.warmupSeconds * 1000);
          const before = { cpu: processCpuMs(running.pid), answered: await answered(target), failures: await running.failures() };
          const started = performance.now();
          let rssMb = 0;
          while (performance.now() - started < options.seconds * 1000) {
            await sleep(1000);
            rssMb = Math.max(rssMb, processRssMb(running.pid));
          }
          const cpu = processCpuMs(running.pid) - before.cpu;
          const flows = (await answered(target)) - before.answered;
          const failures = await running.failures();
          const seconds = (performance.now() - started) / 1000;
          (samples.get(variant.name) ?? samples.set(variant.name, []).get(variant.name))?.push({
            cpuMsPerFlow: cpu / flows,
            flowsPerS: flows / seconds,
            rssMb,
            failed: failures.failed - before.failures.failed,
            skipped: failures.skipped - before.failures.skipped,
          });
          console.log(`  round ${round + 1} ${variant.name}: ${(cpu / flows).toFixed(3)} CPU ms/flow, ${(flows / seconds).toFixed(0)} flows/s, ${rssMb.toFixed(0)} MB, failed ${failures.failed - before.failures.failed}, skipped ${failures.skipped - before.failures.skipped}`);
        } finally {
          await running.stop();
        }
      }
    }
  } finally {
    await target.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const rawCpu = samples.get('raw client')?.map((s) => s.cpuMsPerFlow) ?? [];
  const bbCpu = samples.get('blackbox_exporter')?.map((s) => s.cpuMsPerFlow);
  const rows = variants.map(({ name }) => {
    const s = samples.get(name) ?? [];
    const cpu = s.map((x) => x.cpuMsPerFlow);
    // Ratios of each round's pair, then the median: both ran in the same round.
    const vsRaw = median(cpu.map((c, i) => c / (rawCpu[i] ?? NaN)));
    const vsBlackbox = bbCpu ? median(cpu.map((c, i) => c / (bbCpu[i] ?? NaN))) : NaN;
    return {
      client: name,
      'CPU ms/flow': median(cpu),
      'vs raw': vsRaw,
      'vs blackbox_exporter': bbCpu ? vsBlackbox : '-',
      'flows/s': median(s.map((x) => x.flowsPerS)),
      'RSS MB (max)': median(s.map((x) => x.rssMb)),
      'failed/skipped': s.map((x) => `${x.failed}/${x.skipped}`).join(' '),
    };
  });
  printTable(`Daemon: ${options.monitors} monitors each every second, 2.4 KB answer (${options.rounds} rounds × ${options.seconds} s each, interleaved; targets ≤ 1.35× raw, ≤ 0.6× blackbox_exporter, RSS ≤ 120 MB) on ${machine()}`, rows);
  writeResult('daemon', { options, machine: machine(), rows, samples: Object.fromEntries(samples) });
}

function writeMonitors(dir: string, size: number): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < size; i++) writeFileSync(path.join(dir, `bench-${i}.yaml`), flowYaml(`bench-${i}`, '* * * * * *', BODIES['2.4 KB']));
}

function raw(name: string, mode: 'raw' | 'library'): Variant {
  return {
    name,
    async start(target, _dir, monitors) {
      const script = fileURLToPath(new URL('../rate-driver.ts', import.meta.url));
      const child = spawn(process.execPath, ['--import', 'tsx', script, '--mode', mode, '--monitors', String(monitors), '--target', target.url], { stdio: ['ignore', 'pipe', 'inherit'] });
      const last = await lastLine(child);
      return { pid: child.pid as number, failures: async () => last(), stop: () => stopChild(child) };
    },
  };
}

function stepwatchStart(): Variant {
  return {
    name: 'stepwatch start',
    async start(target, dir) {
      const port = await freePort();
      const dataDir = mkdtempSync(path.join(dir, 'data-'));
      const env = { ...process.env, ...BENCH_ENV, TARGET: target.url, STEPWATCH_LOG_LEVEL: 'info' };
      // Logs go to /dev/null: writing them is counted, shipping them is not stepwatch's work.
      const child = spawn(process.execPath, [path.join(root, 'dist/cli/bin.js'), 'start', '--monitors', path.join(dir, 'monitors'), '--port', String(port), '--data-dir', dataDir], { env, stdio: ['ignore', 'ignore', 'inherit'] });
      const url = `http://127.0.0.1:${port}`;
      await waitFor(async () => (await fetch(`${url}/readyz`)).ok);
      // Prometheus scrapes it every 15 s (gzip), and a scrape pays for the metric blocks rebuilt lazily since the last one.
      const scraper = setInterval(() => void fetch(`${url}/metrics`, { headers: { 'accept-encoding': 'gzip' } }).then((answer) => answer.arrayBuffer()).catch(() => undefined), 15_000);
      return {
        pid: child.pid as number,
        async failures() {
          const text = await (await fetch(`${url}/metrics`)).text();
          const sum = (pattern: RegExp) => [...text.matchAll(pattern)].reduce((total, m) => total + Number(m[1]), 0);
          return { failed: sum(/^stepwatch_monitor_runs_total\{[^}]*result="failure"\} (\S+)$/gm), skipped: sum(/^stepwatch_monitor_skipped_runs_total\{[^}]*\} (\S+)$/gm) };
        },
        stop: () => {
          clearInterval(scraper);
          return stopChild(child);
        },
      };
    },
  };
}

function blackboxInstalled(): boolean {
  return spawnSync(BLACKBOX, ['--version'], { stdio: 'ignore' }).status === 0;
}

function blackbox(): Variant {
  return {
    name: 'blackbox_exporter',
    async start(target, dir, monitors) {
      const port = await freePort();
      const config = path.join(dir, 'blackbox.yml');
      // The same flow: a client-credentials token (Basic client authentication), then the API
      // call with it; status, header and body checked. Go's oauth2 client fetches a token per
      // probe. The http client settings (oauth2) sit inline under `http`.
      writeFileSync(config, `modules:
  flow:
    prober: http
    timeout: 5s
    http:
      method: GET
      valid_status_codes: [200]
      fail_if_body_not_matches_regexp: ['"artists"']
      fail_if_header_not_matches:
        - { header: Content-Type, regexp: application/json }
      oauth2:
        client_id: ${BENCH_ENV.CLIENT_ID}
        client_secret: ${BENCH_ENV.CLIENT_SECRET}
        token_url: ${target.url}/api/token
`);
      const child = spawn(BLACKBOX, [`--config.file=${config}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'inherit'] });
      const exporter = `http://127.0.0.1:${port}`;
      await waitFor(async () => (await fetch(`${exporter}/-/healthy`)).ok);
      const script = fileURLToPath(new URL('../probe-driver.ts', import.meta.url));
      const driver = spawn(process.execPath, ['--import', 'tsx', script, '--exporter', exporter, '--monitors', String(monitors), '--target', `${target.url}${BODIES['2.4 KB'].path}`], { stdio: ['ignore', 'pipe', 'inherit'] });
      const last = await lastLine(driver);
      return { pid: child.pid as number, failures: async () => last(), stop: async () => (await stopChild(driver), await stopChild(child)) };
    },
  };
}

/** Follows a driver's count lines; resolves once the first one came (the driver is loaded and ticking). */
async function lastLine(child: ChildProcess): Promise<() => { failed: number; skipped: number }> {
  let last = { failed: 0, skipped: 0 };
  let buffer = '';
  let ticking: () => void = () => {};
  const first = new Promise<void>((resolve) => (ticking = resolve));
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    const line = lines.at(-1);
    if (line) {
      last = JSON.parse(line) as typeof last;
      ticking();
    }
  });
  await first;
  return () => last;
}

async function answered(target: Target): Promise<number> {
  return ((await (await fetch(`${target.url}/stats`)).json()) as { answered: number }).answered;
}
