// End to end with the real binaries: `stepwatch demo`, Prometheus loaded with the project's
// prometheus.yml and rules, Alertmanager with the example config, and a webhook receiver here.
// Only addresses and timings are changed for the test; the rules and routes are the project's.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse, stringify } from 'yaml';
import { startCli } from '../support/cli.js';
import { closedPort, startHttpServer } from '../support/servers.js';
import type { TestServer } from '../support/servers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface WebhookAlert { status: string; labels: Record<string, string>; annotations: Record<string, string> }

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

describe('alerts from a real Prometheus and Alertmanager', () => {
  let dir: string;
  let demo: ReturnType<typeof startCli>;
  let demoApi = '';
  let stepwatch = '';
  let prometheusUrl = '';
  const children: ChildProcess[] = [];
  let receiver: TestServer;
  const received: WebhookAlert[] = [];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-e2e-'));
    receiver = await startHttpServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push(...(JSON.parse(body) as { alerts: WebhookAlert[] }).alerts);
        res.end();
      });
    });
    demo = startCli(['demo', '--port', '0'], { env: {} });
    [, demoApi = ''] = await demo.waitFor(/demo API listening on (http:\/\/127\.0\.0\.1:\d+)/);
    [, stepwatch = ''] = await demo.waitFor(/"url":"(http:\/\/127\.0\.0\.1:\d+)"/);

    const alertmanagerPort = await closedPort();
    const am = parse(readFileSync(path.join(ROOT, 'alertmanager/alertmanager.yml'), 'utf8')) as { route: Record<string, unknown>; receivers: Array<{ webhook_configs: Array<{ url: string }> }> };
    am.receivers[0]!.webhook_configs[0]!.url = `${receiver.url}/alerts`;
    Object.assign(am.route, { group_wait: '1s', group_interval: '2s' });
    writeFileSync(path.join(dir, 'alertmanager.yml'), stringify(am));
    children.push(spawn('prometheus-alertmanager', [`--config.file=${path.join(dir, 'alertmanager.yml')}`, `--storage.path=${path.join(dir, 'am')}`, `--web.listen-address=127.0.0.1:${alertmanagerPort}`, '--cluster.listen-address='], { stdio: 'ignore' }));

    const prometheusPort = await closedPort();
    const prom = parse(readFileSync(path.join(ROOT, 'prometheus/prometheus.yml'), 'utf8')) as { global: Record<string, string>; rule_files: string[]; alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> }; scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }> };
    Object.assign(prom.global, { scrape_interval: '1s', evaluation_interval: '1s' });
    prom.rule_files = [path.join(ROOT, 'prometheus/rules/*.yml')];
    prom.alerting.alertmanagers[0]!.static_configs[0]!.targets = [`127.0.0.1:${alertmanagerPort}`];
    prom.scrape_configs[0]!.static_configs[0]!.targets = [new URL(stepwatch).host];
    writeFileSync(path.join(dir, 'prometheus.yml'), stringify(prom));
    children.push(spawn('prometheus', [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${prometheusPort}`], { stdio: 'ignore' }));
    prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
    await until('Prometheus to scrape stepwatch', async () => ((await query('up{job="stepwatch"} == 1')).length > 0 ? true : undefined), 30_000);
  });

  after(async () => {
    for (const child of children) child.kill('SIGTERM');
    demo?.child.kill('SIGTERM');
    await demo?.exited;
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function query(expr: string): Promise<unknown[]> {
    const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`).catch(() => undefined);
    if (!response?.ok) return [];
    return ((await response.json()) as { data: { result: unknown[] } }).data.result;
  }

  it('a real scrape of /metrics passes promtool check metrics', async () => {
    const text = await (await fetch(`${stepwatch}/metrics`)).text();
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.equal((check.stdout + check.stderr).trim(), '');
  });

  it('a failing demo step reaches the webhook as an alert naming that step, and resolves when restored', async () => {
    await fetch(`${demoApi}/demo/outage`, { method: 'POST', body: JSON.stringify({ path: '/v1/browse/new-releases', status: 503 }) });
    const isOurs = (alert: WebhookAlert, status: string) => alert.status === status && alert.labels.alertname === 'StepwatchStepFailing' && alert.labels.monitor === 'demo-new-releases';
    const firing = await until('the firing alert at the webhook', () => received.find((alert) => isOurs(alert, 'firing')), 60_000);
    console.log('webhook received:', JSON.stringify(firing, null, 2));
    assert.equal(firing.labels.step, 'Get new releases');
    assert.equal(firing.annotations.summary, "Monitor demo-new-releases is failing at step 'Get new releases' (reason: status)");

    await checkPanels('stepwatch-overview.json', {});
    await fetch(`${demoApi}/demo/outage`, { method: 'DELETE' });
    const resolved = await until('the resolved alert at the webhook', () => received.find((alert) => isOurs(alert, 'resolved')), 60_000);
    assert.equal(resolved.labels.step, 'Get new releases');
  });

  it('every PromQL expression of the monitor dashboard returns data for a demo monitor', async () => {
    await checkPanels('stepwatch-monitor.json', { monitor: 'demo-featured-playlists' });
  });

  /** Evaluates every panel query of a dashboard, with Grafana's variables filled in, and wants data from each. */
  async function checkPanels(file: string, variables: Record<string, string>): Promise<void> {
    const dashboard = JSON.parse(readFileSync(path.join(ROOT, 'grafana/dashboards', file), 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        let expr = target.expr.replaceAll('$__rate_interval', '1m').replaceAll('$__range', '10m');
        for (const [name, value] of Object.entries(variables)) expr = expr.replaceAll(`$${name}`, value);
        const result = await until(`data for panel '${panel.title}' (${expr})`, async () => {
          const rows = await query(expr);
          return rows.length > 0 ? rows : undefined;
        }, 45_000);
        assert.ok(result.length > 0);
      }
    }
  }
});
