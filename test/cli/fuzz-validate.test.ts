import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { runCli, startCli } from '../support/cli.js';
import { json, startHttpServer } from '../support/servers.js';
import type { TestServer } from '../support/servers.js';
import { brokenYaml, monitorFile } from '../support/monitor-arbitraries.js';

const GOOD = `name: good
schedule: "* * * * * *"
steps:
  - name: Ping
    request: { url: "<<env.API>>/ping" }
`;

describe('stepwatch on a folder of generated hostile monitor files', () => {
  let dir: string;
  let api: TestServer;
  before(async () => {
    api = await startHttpServer((_req, res) => json(res, 200, { ok: true }));
    dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-fuzz-'));
    const files = [...fc.sample(monitorFile, { numRuns: 40, seed: 12 }), ...fc.sample(brokenYaml, { numRuns: 20, seed: 12 })];
    files.forEach((text, i) => writeFileSync(path.join(dir, `fuzz-${String(i).padStart(3, '0')}.yaml`), text));
    writeFileSync(path.join(dir, 'good.yaml'), GOOD);
  });
  after(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // The test's timeout is the budget: a file that made validate expand a cron range or backtrack for ever would exceed it.
  it('validate ends with exit 0 or 2, one positioned line per problem, and never a stack', { timeout: 120_000 }, async () => {
    const result = await runCli(['validate', dir], { env: { API: api.url, HOME: '/home/x' } });
    assert.ok(result.code === 0 || result.code === 2, `exit ${result.code}: ${result.stderr}`);
    assert.equal(result.stderr, '');
    const lines = result.stdout.trim().split('\n');
    for (const line of lines.slice(0, -1)) assert.match(line, /^[^\n]*fuzz-\d{3}\.yaml:\d+:\d+: \S/);
    assert.match(lines.at(-1) ?? '', /valid$/);
  });

  it('a daemon given the same files keeps /healthz answering and runs the good monitor', { timeout: 120_000 }, async () => {
    const daemon = startCli(['start', '--monitors', dir, '--port', '0', '--data-dir', path.join(dir, 'data')], { env: { API: api.url, HOME: '/home/x' } });
    try {
      const [, url] = await daemon.waitFor(/"url":"(http:\/\/127\.0\.0\.1:\d+)"/, 60_000);
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
      await daemon.waitFor(/"monitor":"good","passed":true/, 60_000);
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
      assert.doesNotMatch(daemon.output(), /internal error|\n\s+at /);
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
    }
  });
});
