import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../support/cli.js';

/** Takes minutes to compile on one thread (a quadratic check); see test/fixtures/crashers. */
const SLOW_FILE = fileURLToPath(new URL('../fixtures/crashers/labels-30000-invalid-names.yaml', import.meta.url));

describe('stepwatch validate on a monitor file that takes long to load', () => {
  it('stops at the time budget and ends with exit 2 and one line saying so', async () => {
    const result = await runCli(['validate', SLOW_FILE], { env: { STEPWATCH_LOAD_TIMEOUT_SECONDS: '1' }, cwd: path.dirname(SLOW_FILE) });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr, '');
    const [problem, summary, ...rest] = result.stdout.trim().split('\n');
    assert.equal(problem, `${path.basename(SLOW_FILE)}:1:1: loading took longer than 1 s, so stepwatch stopped reading this file; split or simplify it (STEPWATCH_LOAD_TIMEOUT_SECONDS sets the limit)`);
    assert.equal(summary, '1 problem in 1 invalid monitor document; 0 valid');
    assert.deepEqual(rest, []);
  });

  it('refuses a time budget that is not a number of seconds, in one line', async () => {
    const result = await runCli(['validate', SLOW_FILE], { env: { STEPWATCH_LOAD_TIMEOUT_SECONDS: 'soon' } });
    assert.equal(result.code, 2);
    assert.equal(result.stderr, "stepwatch validate: STEPWATCH_LOAD_TIMEOUT_SECONDS must be a number of seconds above 0 and at most 3600, got 'soon'\n");
  });
});
