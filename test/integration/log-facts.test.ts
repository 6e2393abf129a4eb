import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { logFacts } from '../../src/logging/log-facts.js';
import type { Facts } from '../../src/logging/log-facts.js';
import { createLogger } from '../../src/logging/logger.js';
import { REDACTED, Redactor } from '../../src/redaction/redactor.js';

const SECRET = 'secret-in-a-field-5e1a';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(...chunk.toString().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>)), done()) });
  return { logger: createLogger({ level: 'info', redactor: new Redactor([SECRET]), destination }), lines };
}

describe('the log path for facts (the line each run logs)', () => {
  it('shows names, numbers, booleans and reasons as they are, and still redacts the message', () => {
    const { logger, lines } = capture();
    logFacts(logger, 'info', { monitor: 'checkout', passed: true, durationMs: 12.5, attempts: 1, timingDistorted: undefined }, 'run passed');
    logFacts(logger, 'warn', { monitor: 'checkout', step: 'token', reason: 'status', httpStatus: 500 }, `status 500 from ${SECRET}`);
    assert.deepEqual([lines[0]?.monitor, lines[0]?.passed, lines[0]?.durationMs, lines[0]?.attempts, lines[0]?.msg], ['checkout', true, 12.5, 1, 'run passed']);
    assert.deepEqual([lines[1]?.step, lines[1]?.reason, lines[1]?.httpStatus, lines[1]?.msg], ['token', 'status', 500, `status 500 from ${REDACTED}`]);
  });

  it('redacts every field that can hold a secret: any other string, a reason that is not one, a nested object', () => {
    const { logger, lines } = capture();
    // Each call is a fact line but for one field; that field must send the whole line through redaction.
    const calls: Facts[] = [
      { monitor: 'checkout', url: `https://api.test/?key=${SECRET}` },
      { monitor: 'checkout', reason: SECRET },
      { monitor: 'checkout', detail: { value: SECRET } } as unknown as Facts,
      { monitor: 'checkout', headers: { authorization: 'Basic c2hvcnQ6cHc=' } } as unknown as Facts,
    ];
    for (const fields of calls) logFacts(logger, 'info', fields, 'run failed');
    const text = JSON.stringify(lines);
    assert.equal(lines.length, calls.length);
    assert.ok(!text.includes(SECRET), text);
    assert.ok(!text.includes('c2hvcnQ6cHc='), text);
    assert.equal(lines[0]?.url, `https://api.test/?key=${REDACTED}`);
    assert.equal(lines[1]?.reason, REDACTED);
    assert.deepEqual(lines[2]?.detail, { value: REDACTED });
    assert.deepEqual(lines[3]?.headers, { authorization: REDACTED });
  });

  it('logs through a logger that createLogger did not make, as that logger would', () => {
    const lines: string[] = [];
    const logger = pino({ base: null, timestamp: false }, new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString().trim()), done()) }));
    logFacts(logger, 'info', { monitor: 'checkout', passed: false }, 'run failed');
    assert.deepEqual(JSON.parse(lines[0] ?? '{}'), { level: 30, monitor: 'checkout', passed: false, msg: 'run failed' });
  });
});
