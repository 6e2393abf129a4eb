// A run's result as every exit shows it (logs, API, page, reports): redactRun and its secret set,
// and usedEnvSecrets, which fills the process's set from the monitors loaded.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RunResult, StepResult } from '../../src/core/results.js';
import { attachSecrets, redactRun, secretsOf } from '../../src/redaction/redact-run.js';
import { REDACTED, Redactor } from '../../src/redaction/redactor.js';
import { usedEnvSecrets } from '../../src/redaction/monitor-secrets.js';
import { monitorFromYaml } from '../support/monitors.js';

const SECRET = 'tok-12345678';

function runOf(steps: StepResult[]): RunResult {
  return attachSecrets({ monitor: 'orders', passed: steps.every((step) => step.status === 'passed'), startedAt: 1_700_000_000_000, durationMs: 12, attempts: 1, steps }, new Redactor([SECRET]));
}

const passed: StepResult = { name: 'Token', status: 'passed', durationMs: 3, httpStatus: 200 };
const failedWithAnswer: StepResult = {
  name: 'List orders',
  status: 'failed',
  durationMs: 9,
  httpStatus: 401,
  reason: 'status',
  message: `expected status to equal 200, got 401 for ${SECRET}`,
  response: { status: 401, headers: { authorization: 'Bearer abc', 'x-echo': `key=${SECRET}`, 'content-type': 'application/json' }, body: JSON.stringify({ access_token: 'short', echo: SECRET }), truncated: false },
};

describe('the redacted view of a run', () => {
  it("hides the run's secrets in messages and answers, credential headers by name and token fields by structure", () => {
    const result = runOf([passed, failedWithAnswer]);
    const view = redactRun(result);
    const [token, orders] = view.steps;
    assert.equal(token, passed, 'a step with no text is shown as it is');
    assert.equal(orders?.message, `expected status to equal 200, got 401 for ${REDACTED}`);
    assert.deepEqual(orders?.response, {
      status: 401,
      headers: { authorization: REDACTED, 'x-echo': `key=${REDACTED}`, 'content-type': 'application/json' },
      body: JSON.stringify({ access_token: REDACTED, echo: REDACTED }),
      truncated: false,
    });
    assert.deepEqual({ ...view, steps: [] }, { ...result, steps: [] }, 'names, numbers and statuses are never rewritten');
    assert.ok(!JSON.stringify(view).includes(SECRET));
    assert.equal(result.steps[1], failedWithAnswer, 'the result itself is left as it was');
  });

  it('adds no field a step did not have: a message without an answer, an answer without a message', () => {
    const messageOnly: StepResult = { ...failedWithAnswer };
    delete messageOnly.response;
    const answerOnly: StepResult = { ...failedWithAnswer };
    delete answerOnly.message;
    const [first, second] = redactRun(runOf([messageOnly, answerOnly])).steps;
    assert.equal('response' in (first ?? {}), false);
    assert.equal(first?.message, `expected status to equal 200, got 401 for ${REDACTED}`);
    assert.equal('message' in (second ?? {}), false);
    assert.equal(second?.response?.headers['x-echo'], `key=${REDACTED}`);
  });

  it('is made once per run: every exit that shows the run gets the same view, and a view is its own view', () => {
    const result = runOf([passed, failedWithAnswer]);
    const view = redactRun(result);
    assert.equal(redactRun(result), view);
    assert.equal(redactRun(view), view);
    const passing = runOf([passed]);
    assert.equal(redactRun(passing), passing, 'a run with nothing to hide is its own view, no copy made');
  });

  it('follows a modified copy: the copy keeps the secret set, never the view of the original', () => {
    const result = runOf([failedWithAnswer]);
    redactRun(result);
    const copy: RunResult = { ...result, steps: [{ ...failedWithAnswer, message: `retried with ${SECRET}` }] };
    assert.equal(secretsOf(copy), secretsOf(result));
    assert.equal(redactRun(copy).steps[0]?.message, `retried with ${REDACTED}`);
  });
});

describe('the secret env values the monitors use', () => {
  const monitor = monitorFromYaml(
    `
name: orders
schedule: "* * * * *"
steps:
  - name: Call
    request:
      url: "<<env.API_URL>>/orders"
      headers: { Authorization: "Bearer <<env.API_TOKEN>>", X-Key: "<<env.SHORT_KEY>>", X-Empty: "<<env.EMPTY_SECRET>>", X-Eight: "<<env.EIGHT_KEY>>" }
    assert:
      body: { contains: "<<env.B_PASSWORD>>" }
`,
    { API_URL: 'http://127.0.0.1:1', API_TOKEN: 'token-value-1', SHORT_KEY: 'k1', EMPTY_SECRET: '', EIGHT_KEY: '12345678', B_PASSWORD: 'password-value' },
  );

  it('are those of the secret names a step inserts (request or assertion), in name order; never a value that is not secret or is empty', () => {
    const env = { API_URL: 'http://127.0.0.1:1', API_TOKEN: 'token-value-1', SHORT_KEY: 'k1', EMPTY_SECRET: '', EIGHT_KEY: '12345678', B_PASSWORD: 'password-value', UNUSED_TOKEN: 'unused-value' };
    assert.deepEqual(usedEnvSecrets([monitor], env), { values: ['token-value-1', 'password-value', '12345678', 'k1'], short: ['SHORT_KEY'] });
  });

  it('skip a name that is not set', () => {
    assert.deepEqual(usedEnvSecrets([monitor], { API_TOKEN: 'token-value-1' }), { values: ['token-value-1'], short: [] });
  });
});
