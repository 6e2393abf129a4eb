import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../support/cli.js';
import { closedPort } from '../support/servers.js';
import { TEST_SERVER_URL } from '../support/postgres.js';

function monitorsDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-cluster-cli-'));
  writeFileSync(path.join(dir, 'm.yaml'), 'name: m\nschedule: "* * * * * *"\nsteps:\n  - name: Call\n    request: { url: "http://127.0.0.1:1/" }\n');
  return dir;
}

describe('stepwatch start with a database that cannot be used', () => {
  const cases: Array<[string, () => Promise<string>, RegExp]> = [
    ['a URL that is not postgres://', async () => 'mysql://user:hunter22secret@127.0.0.1/db', /^stepwatch start: STEPWATCH_DATABASE_URL must be a postgres:\/\/ URL, got a mysql: URL; use postgres:\/\/USER:PASSWORD@HOST:5432\/DATABASE\n$/],
    ['no URL at all', async () => 'not a url', /^stepwatch start: STEPWATCH_DATABASE_URL is not a URL; use postgres:\/\/USER:PASSWORD@HOST:5432\/DATABASE\n$/],
    ['a server that does not answer', async () => `postgres://user:hunter22secret@127.0.0.1:${await closedPort()}/db`, /^stepwatch start: cannot use the database at 127\.0\.0\.1:\d+\/db \(STEPWATCH_DATABASE_URL\): connect ECONNREFUSED 127\.0\.0\.1:\d+\n$/],
    ['a wrong password', async () => {
      const url = new URL(TEST_SERVER_URL);
      url.password = 'hunter22secret';
      return url.toString();
    }, /^stepwatch start: cannot use the database at [^ ]+\/postgres \(STEPWATCH_DATABASE_URL\): password authentication failed for user "stepwatch_test" \(28P01\)\n$/],
  ];
  for (const [what, url, message] of cases) {
    it(`exits 2 with one line and starts nothing, for ${what}`, async () => {
      const dir = monitorsDir();
      try {
        const result = await runCli(['start', '--monitors', dir, '--port', '0', '--data-dir', path.join(dir, 'data')], { env: { STEPWATCH_DATABASE_URL: await url() } });
        assert.equal(result.code, 2);
        assert.match(result.stderr, message);
        assert.doesNotMatch(result.stderr, /hunter22secret/, 'the password is never printed');
        assert.equal(result.stdout, '', 'no log line: nothing was started (no server, no tick)');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('exits 2 for a location that cannot be a label', async () => {
    const dir = monitorsDir();
    try {
      const result = await runCli(['start', '--monitors', dir], { env: { STEPWATCH_DATABASE_URL: 'postgres://127.0.0.1/db', STEPWATCH_LOCATION: 'EU West' } });
      assert.equal(result.code, 2);
      assert.equal(result.stderr, "stepwatch start: STEPWATCH_LOCATION must match ^[a-z0-9][a-z0-9_.-]*$ (it becomes the location label), got 'EU West'\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
