// End to end with the real binaries: two `stepwatch start` instances running the same monitor
// against a test API that fails differently for each, Prometheus loaded with the project's
// prometheus.yml and rules (scrape job renamed, so nothing depends on the job being called
// `stepwatch`), Alertmanager with the example config, and a webhook receiver here. Only addresses and
// timings change for the test: the monitor runs every second instead of every minute, so every
// duration of the rules is read in seconds instead of minutes ("for: 2m" becomes "for: 2s").
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse, stringify } from 'yaml';
import { startCli } from '../support/cli.js';
import { closedPort, startHttpServer, startHttpsServer } from '../support/servers.js';
import type { TestServer } from '../support/servers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface WebhookAlert { status: string; labels: Record<string, string>; annotations: Record<string, string> }
interface Notification { receiver: string; alert: WebhookAlert }

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

/** The project's rules with minutes read as seconds (and hours as minutes): `for`, `keep_firing_for` and range windows. */
function rulesInSeconds(text: string): string {
  const scale = (duration: string) => duration.replace(/^(\d+)([mhd])$/, (_, n: string, unit: string) => `${n}${{ m: 's', h: 'm', d: 'h' }[unit as 'm' | 'h' | 'd']}`);
  const file = parse(text) as { groups: Array<{ interval?: string; rules: Array<Record<string, string>> }> };
  for (const group of file.groups) {
    if (group.interval) group.interval = '1s';
    for (const rule of group.rules) {
      for (const key of ['for', 'keep_firing_for']) if (rule[key]) rule[key] = scale(rule[key]);
      rule.expr = rule.expr!.replace(/\[(\d+[mhd])\]/g, (_, window: string) => `[${scale(window)}]`);
    }
  }
  return stringify(file);
}

const monitor = (name: string, schedule: string) => `name: ${name}
schedule: "${schedule}"
timeout: 3s
steps:
  - name: Log in
    request:
      method: POST
      url: <<env.TARGET_TLS>>/login
      tls: { insecureSkipVerify: true }
    assert: { status: 200 }
  - name: List items
    request:
      url: <<env.TARGET>>/items
    assert:
      status: 200
      jsonpath:
        $.items: { exists: true }
`;

describe('alerts from a real Prometheus and Alertmanager, with two stepwatch instances', () => {
  let dir: string;
  let prometheusUrl = '';
  const children: ChildProcess[] = [];
  const servers: TestServer[] = [];
  const instances: Record<'a' | 'b', { url: string; target: string; cli: ReturnType<typeof startCli> }> = {} as never;
  const received: Notification[] = [];
  // What the test API answers on /items, per instance: A answers 503 (reason status), B an empty object (reason assertion).
  const items: Record<string, { status: number; body: string }> = { a: { status: 503, body: '{}' }, b: { status: 200, body: '{}' } };

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-e2e-'));
    servers.push(await startHttpServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        for (const alert of (JSON.parse(body) as { alerts: WebhookAlert[] }).alerts) received.push({ receiver: req.url ?? '', alert });
        res.end();
      });
    }));
    const receiverUrl = servers[0]!.url;
    const api = await startHttpServer((req, res) => {
      const [, who = '', what] = (req.url ?? '').split('/');
      const answer = what === 'items' ? items[who] : undefined;
      res.writeHead(answer?.status ?? 404, { 'content-type': 'application/json' }).end(answer?.body ?? '{}');
    });
    // The demo's self-signed certificate (src/demo/tls): made once, so no key is generated per run.
    const demoTls = (file: string) => readFileSync(path.join(ROOT, 'src/demo/tls', file));
    const tls = await startHttpsServer({ key: demoTls('demo-key.pem'), cert: demoTls('demo-cert.pem'), notAfter: 0 }, (_req, res) => res.end('{}'));
    servers.push(api, tls);

    mkdirSync(path.join(dir, 'monitors'));
    writeFileSync(path.join(dir, 'monitors', 'checkout.yaml'), monitor('checkout', '* * * * * *'));
    // A 5-minute monitor in the test's time (one minute is one second).
    writeFileSync(path.join(dir, 'monitors', 'checkout-5m.yaml'), monitor('checkout-5m', '*/5 * * * * *'));
    // Everything starts at once, on ports chosen beforehand.
    const [portA, portB, alertmanagerPort, prometheusPort] = [await closedPort(), await closedPort(), await closedPort(), await closedPort()];
    const started = (['a', 'b'] as const).map(async (who, i) => {
      const cli = startCli(['start', '--monitors', path.join(dir, 'monitors'), '--port', String([portA, portB][i]), '--data-dir', path.join(dir, `data-${who}`)], { env: { TARGET: `${api.url}/${who}`, TARGET_TLS: tls.url } });
      const [, url = ''] = await cli.waitFor(/"url":"(http:\/\/127\.0\.0\.1:\d+)"/, 60_000);
      instances[who] = { url, target: new URL(url).host, cli };
    });

    const am = parse(readFileSync(path.join(ROOT, 'alertmanager/alertmanager.yml'), 'utf8')) as { route: Record<string, unknown> & { routes: Array<Record<string, unknown>> }; receivers: Array<{ webhook_configs: Array<{ url: string }> }> };
    for (const receiver of am.receivers) for (const webhook of receiver.webhook_configs) webhook.url = `${receiverUrl}${new URL(webhook.url).pathname}`;
    for (const route of [am.route, ...am.route.routes]) Object.assign(route, { group_wait: '1s', group_interval: '2s' });
    writeFileSync(path.join(dir, 'alertmanager.yml'), stringify(am));
    children.push(spawn('prometheus-alertmanager', [`--config.file=${path.join(dir, 'alertmanager.yml')}`, `--storage.path=${path.join(dir, 'am')}`, `--web.listen-address=127.0.0.1:${alertmanagerPort}`, '--cluster.listen-address='], { stdio: 'ignore' }));

    const prom = parse(readFileSync(path.join(ROOT, 'prometheus/prometheus.yml'), 'utf8')) as { global: Record<string, string>; rule_files: string[]; alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> }; scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }> };
    Object.assign(prom.global, { scrape_interval: '1s', evaluation_interval: '1s' });
    writeFileSync(path.join(dir, 'stepwatch.yml'), rulesInSeconds(readFileSync(path.join(ROOT, 'prometheus/rules/stepwatch.yml'), 'utf8')));
    prom.rule_files = [path.join(dir, 'stepwatch.yml')];
    prom.alerting.alertmanagers[0]!.static_configs[0]!.targets = [`127.0.0.1:${alertmanagerPort}`];
    prom.scrape_configs[0]!.job_name = 'synthetics';
    prom.scrape_configs[0]!.static_configs[0]!.targets = [`127.0.0.1:${portA}`, `127.0.0.1:${portB}`];
    writeFileSync(path.join(dir, 'prometheus.yml'), stringify(prom));
    children.push(spawn('prometheus', [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${prometheusPort}`], { stdio: 'ignore' }));
    prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
    await Promise.all(started);
    await until('Prometheus to scrape both instances', async () => ((await query('count(up{job="synthetics"} == 1) == 2')).length > 0 ? true : undefined), 30_000);
  });

  after(async () => {
    for (const child of children) child.kill('SIGTERM');
    for (const { cli } of Object.values(instances)) {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
    for (const server of servers) await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
    const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`).catch(() => undefined);
    if (!response?.ok) return [];
    return ((await response.json()) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } }).data.result;
  }

  const notified = (receiver: string, status: string, alertname: string, instance: string, monitor?: string) =>
    received.find((n) => n.receiver === receiver && n.alert.status === status && n.alert.labels.alertname === alertname && n.alert.labels.instance === instance && n.alert.labels.monitor === monitor);

  it('a real scrape of /metrics passes promtool check metrics', async () => {
    const text = await (await fetch(`${instances.a.url}/metrics`)).text();
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.equal((check.stdout + check.stderr).trim(), '');
  });

  it('each instance pages for its own failure, with its own step and reason', async () => {
    const a = await until("A's page", () => notified('/pager', 'firing', 'StepwatchMonitorDown', instances.a.target, 'checkout'), 30_000);
    const b = await until("B's page", () => notified('/pager', 'firing', 'StepwatchMonitorDown', instances.b.target, 'checkout'), 30_000);
    console.log('pager received:', JSON.stringify([a.alert, b.alert], null, 2));
    assert.equal(a.alert.labels.job, 'synthetics');
    assert.match(a.alert.annotations.summary ?? '', /^Monitor checkout is down: \d+ failed runs in a row, at step 'List items' \(reason: status\)$/);
    assert.match(b.alert.annotations.summary ?? '', /^Monitor checkout is down: \d+ failed runs in a row, at step 'List items' \(reason: assertion\)$/);
    assert.ok(received.every((n) => n.receiver === '/pager' || n.alert.labels.severity === 'warning'), 'warnings never reach the pager');
    assert.ok(received.every((n) => n.receiver === '/chat' || n.alert.labels.severity === 'critical'));
  });

  it('every dashboard query returns data for each of the two instances, for a monitor every minute and one every 5 minutes', async () => {
    // The dashboards' default window, 2 hours, is 2 minutes here.
    for (const instance of [instances.a.target, instances.b.target]) {
      await checkPanels('stepwatch-overview.json', { job: 'synthetics', instance, location: '.*', window: '2m' });
      for (const name of ['checkout', 'checkout-5m']) await checkPanels('stepwatch-monitor.json', { job: 'synthetics', instance, location: '.*', window: '2m', monitor: name });
    }
  });

  it('a killed instance pages as StepwatchDown, and its still-failing monitor never gets an all-clear, while the other one does when it recovers', async () => {
    instances.a.cli.child.kill('SIGKILL');
    await instances.a.cli.exited;
    await until('StepwatchDown for A', () => notified('/pager', 'firing', 'StepwatchDown', instances.a.target), 30_000);
    // Well past keep_firing_for (5 s here) and a few group intervals: A's alert is still firing in
    // Prometheus (held) and nothing resolved it at the receiver.
    await sleep(7_000);
    assert.equal((await query(`ALERTS{alertname="StepwatchMonitorDown",alertstate="firing",instance="${instances.a.target}",monitor="checkout"}`)).length, 1);
    items.b = { status: 200, body: '{"items":[]}' };
    const resolved = await until("B's all-clear", () => notified('/pager', 'resolved', 'StepwatchMonitorDown', instances.b.target, 'checkout'), 30_000);
    assert.equal(resolved.alert.labels.instance, instances.b.target);
    const allClearsForA = received.filter((n) => n.alert.status === 'resolved' && n.alert.labels.instance === instances.a.target && n.alert.labels.alertname !== 'StepwatchDown');
    assert.deepEqual(allClearsForA, [], 'no all-clear for the dead instance\'s failing monitor');
  });

  /** Evaluates every panel query of a dashboard, with Grafana's variables filled in, and wants a number from each. */
  async function checkPanels(file: string, variables: Record<string, string>): Promise<void> {
    const dashboard = JSON.parse(readFileSync(path.join(ROOT, 'grafana/dashboards', file), 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        let expr = target.expr;
        for (const [name, value] of Object.entries(variables)) expr = expr.replaceAll(`$${name}`, value);
        const rows = await until(`data for panel '${panel.title}' (${expr})`, async () => {
          const result = await query(expr);
          return result.some((row) => Number.isFinite(Number(row.value[1]))) ? result : undefined;
        }, 20_000);
        assert.ok(rows.every((row) => row.metric.instance === undefined || row.metric.instance === variables.instance), `${panel.title}: only ${variables.instance}`);
      }
    }
  }
});
