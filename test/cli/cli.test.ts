import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, startCli } from '../support/cli.js';
import { json, startHttpServer } from '../support/servers.js';
import type { TestServer } from '../support/servers.js';
import { signal, within } from '../support/wait.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));

describe('stepwatch validate', () => {
  it('exits 0 and says how many monitors are valid', async () => {
    const result = await runCli(['validate', path.join(fixtures, 'valid', 'several-documents.yml')], { env: { CLIENT_ID: 'x' } });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '2 monitors valid\n');
  });

  it('exits 2 and prints file:line:col: message for each problem', async () => {
    const result = await runCli(['validate', path.join(fixtures, 'invalid', 'unknown-field.yaml'), path.join(fixtures, 'invalid', 'bad-timezone.yaml')], { cwd: fixtures });
    assert.equal(result.code, 2);
    assert.deepEqual(result.stdout.trim().split('\n'), [
      "invalid/bad-timezone.yaml:3:11: unknown time zone 'Europe/Atlantis'; use an IANA name such as Europe/Berlin or UTC",
      "invalid/unknown-field.yaml:3:1: unknown field 'retires' in the monitor; did you mean 'retries'? (allowed: name, description, schedule, timezone, timeout, retries, labels, enabled, locations, steps)",
      '2 problems in 2 invalid monitor documents; 0 valid',
    ]);
    assert.equal(result.stderr, '');
  });

  it('says clearly when a path does not exist, with no stack trace', async () => {
    const result = await runCli(['validate', '/no/such/monitors']);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'stepwatch validate: no such file or folder: /no/such/monitors\n');
  });

  it('explains an unknown option in one line', async () => {
    const result = await runCli(['validate', '--frobnicate']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^stepwatch validate: validate: Unknown option '--frobnicate'.*\n$/);
  });
});

describe('stepwatch run', () => {
  let api: TestServer;
  let dir: string;
  before(async () => {
    api = await startHttpServer((req, res) => (req.url === '/ok' ? json(res, 200, { ok: true }) : json(res, 503, { ok: false })));
    dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-cli-'));
    writeFileSync(path.join(dir, 'passing.yaml'), `name: passing\nschedule: "* * * * *"\nsteps:\n  - name: Ok\n    request: { url: "<<env.API>>/ok" }\n    assert: { jsonpath: { $.ok: { equals: true } } }\n`);
    mkdirSync(path.join(dir, 'failing'));
    writeFileSync(path.join(dir, 'failing', 'failing.yaml'), `name: failing\nschedule: "* * * * *"\nsteps:\n  - name: Down <&>\n    request: { url: "<<env.API>>/down" }\n  - name: After\n    request: { url: "<<env.API>>/ok" }\n`);
  });
  after(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 when every run passes, printing per-step results', async () => {
    const result = await runCli(['run', path.join(dir, 'passing.yaml')], { env: { API: api.url } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^PASS passing \(.+\)\n {2}✔ Ok 200 .+\n\n1 passed, 0 failed\n$/);
  });

  it('exits 1 when a run fails; --reporter json prints the contract shape alone on stdout', async () => {
    const result = await runCli(['run', dir, '--reporter', 'json'], { env: { API: api.url } });
    assert.equal(result.code, 1);
    const report = JSON.parse(result.stdout) as { monitors: Array<{ name: string; passed: boolean; durationMs: number; steps: Array<Record<string, unknown>> }> };
    assert.deepEqual(report.monitors.map((m) => [m.name, m.passed]), [['failing', false], ['passing', true]]);
    const [down, afterStep] = report.monitors[0]?.steps ?? [];
    assert.deepEqual(Object.keys(down ?? {}), ['name', 'status', 'durationMs', 'httpStatus', 'reason', 'message']);
    assert.deepEqual({ ...down, durationMs: 0 }, { name: 'Down <&>', status: 'failed', durationMs: 0, httpStatus: 503, reason: 'status', message: 'expected a 2xx status, got 503' });
    assert.deepEqual(afterStep, { name: 'After', status: 'skipped', durationMs: 0, httpStatus: null, reason: null, message: null });
  });

  it('--monitor NAME runs that monitor only; --reporter junit prints escaped JUnit XML', async () => {
    const result = await runCli(['run', dir, '--monitor', 'failing', '--reporter', 'junit'], { env: { API: api.url } });
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="stepwatch" tests="2" failures="1"/);
    assert.match(result.stdout, /<testcase classname="failing" name="Down &lt;&amp;&gt;" time="[\d.]+"><failure type="status" message="expected a 2xx status, got 503">/);
    assert.match(result.stdout, /<testcase classname="failing" name="After" time="0.000"><skipped/);
    assert.ok(!result.stdout.includes('passing'));
  });

  it('exits 2 on a configuration error without running anything', async () => {
    const result = await runCli(['run', path.join(dir, 'passing.yaml')], { env: {} });
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /passing\.yaml:5:22: environment variable API is not set/);
  });

  it('exits 2 for an unknown monitor name, listing the known ones', async () => {
    const result = await runCli(['run', dir, '--monitor', 'nope'], { env: { API: api.url } });
    assert.equal(result.code, 2);
    assert.equal(result.stderr, "stepwatch run: no monitor named 'nope'; known: failing, passing\n");
  });
});

describe('stepwatch start', () => {
  it('serves /metrics, and on SIGTERM lets the run in progress finish, then exits 0', async () => {
    let release: () => void = () => {};
    const arrived = signal();
    // Answers only when released, after the daemon has been told to stop.
    const api = await startHttpServer((_req, res) => {
      release = () => json(res, 200, {});
      arrived.resolve();
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-start-'));
    writeFileSync(path.join(dir, 'slow.yaml'), `name: slow\nschedule: "* * * * * *"\nsteps:\n  - name: Slow\n    request: { url: "<<env.API>>/" }\n`);
    const daemon = startCli(['start', '--monitors', dir, '--port', '0'], { env: { API: api.url, STEPWATCH_LOG_LEVEL: 'debug' } });
    try {
      const [, url] = await daemon.waitFor(/"url":"(http:\/\/127\.0\.0\.1:\d+)"/);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      assert.match(metrics, /stepwatch_config_monitors\{state="active"\} 1/);
      assert.equal((await fetch(`${url}/readyz`)).status, 200);
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
      await within(arrived.promise, 'the run reaches the API');
      daemon.child.kill('SIGTERM');
      await daemon.waitFor(/stopping/);
      release();
      const code = await daemon.exited;
      assert.equal(code, 0, daemon.output());
      const lines = daemon.output().split('\n');
      const stopping = lines.findIndex((line) => line.includes('stopping'));
      const finished = lines.findIndex((line, i) => i > stopping && line.includes('"msg":"run passed"'));
      assert.ok(stopping >= 0 && finished > stopping, `the run finished after the signal:\n${daemon.output()}`);
      assert.match(daemon.output(), /"drained":true/);
    } finally {
      daemon.child.kill('SIGKILL');
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const bad of ['soon', '-1', '3601']) {
    it(`refuses STEPWATCH_START_SPREAD_SECONDS=${bad} before it starts, in one line`, async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-spread-'));
      try {
        const result = await runCli(['start', '--monitors', dir, '--port', '0'], { env: { STEPWATCH_START_SPREAD_SECONDS: bad } });
        assert.equal(result.code, 2);
        assert.equal(result.stderr, `stepwatch start: STEPWATCH_START_SPREAD_SECONDS must be a number of seconds from 0 (no spread) to 3600, got '${bad}'\n`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('refuses a monitors folder that does not exist, in one line', async () => {
    const result = await runCli(['start', '--monitors', '/no/such/dir']);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'stepwatch start: cannot use the monitors path: no such file or folder: /no/such/dir (set --monitors or STEPWATCH_MONITORS)\n');
  });
});

describe('stepwatch demo', () => {
  it('runs the bundled demo monitors against the bundled API, with no credentials', async () => {
    const demo = startCli(['demo', '--port', '0'], { env: {} });
    try {
      const [, url] = await demo.waitFor(/"url":"(http:\/\/127\.0\.0\.1:\d+)"/);
      await demo.waitFor(/"monitor":"demo-new-releases","passed":true/, 20_000);
      await demo.waitFor(/"monitor":"demo-my-profile","passed":true/, 20_000);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      assert.match(metrics, /stepwatch_step_up\{monitor="demo-new-releases",step="Get new releases"\} 1/);
      assert.match(metrics, /stepwatch_monitor_info\{monitor="demo-new-releases",env="demo",team="music"\} 1/);
      assert.ok(!/demo-secret-[0-9a-f]+/.test(demo.output()), 'the demo client secret never shows');
      demo.child.kill('SIGINT');
      assert.equal(await demo.exited, 0);
    } finally {
      demo.child.kill('SIGKILL');
    }
  });
});

describe('stepwatch --help', () => {
  it('lists the commands, and each command has its own help', async () => {
    const overview = await runCli(['--help']);
    assert.equal(overview.code, 0);
    for (const command of ['validate', 'run', 'start', 'demo']) {
      assert.match(overview.stdout, new RegExp(`\\n  ${command} `));
      const help = await runCli([command, '--help']);
      assert.equal(help.code, 0);
      assert.match(help.stdout, new RegExp(`^Usage: stepwatch ${command}`));
    }
  });
});
