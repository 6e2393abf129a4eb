// `npm run bench:redaction`: redaction's share of a flow's CPU when the second call answers with
// a 20 KB JSON document. The flows run with what the daemon attaches (metrics, the status store,
// logs at info to a null stream) under the V8 profiler; the share is the number of samples with
// a src/redaction/ frame anywhere on the stack over all busy samples (counts, not the samples'
// time deltas, which a busy machine inflates at random), and CPU per flow is process.cpuUsage.
// Run with --serve, the script is its own target process, so the target's CPU is not counted.
import http from 'node:http';
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { compileText } from '../src/config/load-file.js';
import type { Monitor } from '../src/core/monitor.js';
import { createLogger } from '../src/logging/logger.js';
import { logObserver } from '../src/logging/log-observer.js';
import { MetricsObserver } from '../src/metrics/metrics-observer.js';
import { usedEnvSecrets } from '../src/redaction/monitor-secrets.js';
import { Redactor } from '../src/redaction/redactor.js';
import { combineObservers } from '../src/run/observer.js';
import { runMonitor } from '../src/run/run-monitor.js';
import { StatusStore } from '../src/status/status-store.js';
import { BODIES, flowYaml } from './flow-monitor.js';
import { printTable, writeResult } from './support.js';

const ACCESS_TOKEN = 'bench-access-token-0123456789abcdef';
/** ~20 KB: the five items the flow checks, then 150 records of detail. */
const BIG = JSON.stringify({
  items: Array.from({ length: 5 }, (_, i) => ({ id: `item${i}`, name: `Item ${i}`, price: i * 10 })),
  total: 5,
  details: Array.from({ length: 150 }, (_, i) => ({ id: `detail-${i}`, title: `A longer description of record ${i}`, tags: ['alpha', 'beta'], score: i / 7 })),
});

function serve(): void {
  const token = JSON.stringify({ access_token: ACCESS_TOKEN, token_type: 'Bearer', expires_in: 3600 });
  const server = http.createServer((req, res) => {
    req.resume();
    const body = req.url === '/token' || req.url === '/api/token' ? token : req.headers.authorization === `Bearer ${ACCESS_TOKEN}` ? BIG : undefined;
    if (!body) return res.writeHead(401).end();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  });
  server.keepAliveTimeout = 1;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

interface ProfileNode { id: number; callFrame: { url: string; functionName: string }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

/** Busy time, the part of it spent with a src/redaction/ frame anywhere on the stack, and that part by outermost redaction function. */
function redactionShare(profile: Profile): { busySamples: number; redactionSamples: number; byFunction: Map<string, number> } {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const inRedaction = new Map<number, boolean>();
  const check = (id: number): boolean => {
    const known = inRedaction.get(id);
    if (known !== undefined) return known;
    const node = nodes.get(id);
    const up = parent.get(id);
    const result = (node?.callFrame.url.includes('/src/redaction/') ?? false) || (up !== undefined && check(up));
    inRedaction.set(id, result);
    return result;
  };
  const outermost = (id: number): string => {
    let found = '';
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = nodes.get(at)?.callFrame;
      if (frame?.url.includes('/src/redaction/')) found = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').pop() ?? ''}`;
    }
    return found;
  };
  let busy = 0;
  let redaction = 0;
  const byFunction = new Map<string, number>();
  profile.samples.forEach((id) => {
    const time = 1;
    if (nodes.get(id)?.callFrame.functionName === '(idle)') return;
    busy += time;
    if (!check(id)) return;
    redaction += time;
    const name = outermost(id);
    byFunction.set(name, (byFunction.get(name) ?? 0) + time);
  });
  return { busySamples: busy, redactionSamples: redaction, byFunction };
}

async function measure(label: string, monitor: Monitor, env: NodeJS.ProcessEnv, flows: number): Promise<Record<string, string | number>> {
  const redactor = new Redactor(usedEnvSecrets([monitor], env).values);
  const logger = createLogger({ level: 'info', redactor, destination: new Writable({ write: (_chunk, _encoding, done) => done() }) });
  const observer = combineObservers([new MetricsObserver(new Registry(), { processMetrics: false }), new StatusStore(), logObserver(logger)]);
  let passed = 0;
  const run = async () => {
    if ((await runMonitor(monitor, { env, redactor, observer })).passed) passed++;
  };
  for (let i = 0; i < 300; i++) await run(); // warm-up: JIT, sockets
  passed = 0;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  const cpu = process.cpuUsage();
  for (let i = 0; i < flows; i++) await run();
  const used = process.cpuUsage(cpu);
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
  session.disconnect();
  const { busySamples, redactionSamples, byFunction } = redactionShare(profile);
  const cpuUsPerFlow = (used.user + used.system) / flows;
  const share = redactionSamples / busySamples;
  const top = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([name, count]) => `${name} ${((count / redactionSamples) * 100).toFixed(0)}%`);
  return { flow: label, flows, passed, 'CPU ms/flow (profiled)': cpuUsPerFlow / 1000, 'redaction share %': share * 100, 'redaction µs/flow': share * cpuUsPerFlow, 'where in redaction': top.join('; ') };
}

if (process.argv.includes('--serve')) serve();
else {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())));
  const env = { TARGET: url, CLIENT_ID: 'bench', CLIENT_SECRET: 'bench-secret' };
  const compile = (yaml: string) => {
    const monitor = compileText('bench.yaml', 'bench.yaml', yaml, env).documents[0]?.monitor;
    if (!monitor) throw new Error('the bench monitor does not compile');
    return monitor;
  };
  const flows = process.argv.includes('--quick') ? 500 : 3000;
  // The small answer's checks ($.items: five, the first with an id) on this bench's 20 KB answer.
  const BIG_BODY = { ...BODIES.small, path: '/big' };
  try {
    const passing = compile(flowYaml('bench-redaction', '* * * * *', BIG_BODY));
    // The same flow failing its last assertion: the excerpt is made, kept, logged and redacted.
    const failing = compile(flowYaml('bench-redaction', '* * * * *', BIG_BODY).replace('$.items[0].id: { exists: true }', '$.items[0].id: { equals: nope }'));
    const rows = [await measure('passing (20 KB answer)', passing, env, flows), await measure('failing (excerpt kept and logged)', failing, env, flows)];
    printTable('Redaction share of a flow with a 20 KB JSON answer (target < 3%)', rows);
    writeResult('redaction-share', { answerBytes: Buffer.byteLength(BIG), rows });
  } finally {
    child.kill('SIGTERM');
  }
}
