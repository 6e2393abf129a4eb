// A child process of the daemon scenario, playing Prometheus for blackbox_exporter: N probes
// of the flow module at every second boundary, over keep-alive connections as a scraper uses.
// A probe still going when its next second comes is skipped. Prints cumulative counts once a second.
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { exporter: { type: 'string' }, monitors: { type: 'string' }, target: { type: 'string' } } });
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const probeUrl = `${String(values.exporter)}/probe?module=flow&target=${encodeURIComponent(String(values.target))}`;
const size = Number(values.monitors);
const inFlight = new Uint8Array(size);
const counts = { passed: 0, failed: 0, skipped: 0 };

function probe(): Promise<boolean> {
  return new Promise((resolve) => {
    http.get(probeUrl, { agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve(/^probe_success 1$/m.test(text)));
    }).on('error', () => resolve(false));
  });
}

function tick(): void {
  setTimeout(tick, 1000 - (Date.now() % 1000));
  for (let i = 0; i < size; i++) {
    if (inFlight[i]) {
      counts.skipped++;
      continue;
    }
    inFlight[i] = 1;
    probe().then((passed) => void (passed ? counts.passed++ : counts.failed++)).finally(() => (inFlight[i] = 0));
  }
  process.stdout.write(`${JSON.stringify(counts)}\n`);
}
setTimeout(tick, 1000 - (Date.now() % 1000));
process.on('SIGTERM', () => process.exit(0));
