import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logging/logger.js';
import { Redactor } from '../../src/redaction/redactor.js';

const SECRET = 'secret-in-an-error-9d2c';

function capture(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(...chunk.toString().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>)), done()) });
  return { logger: createLogger({ level, redactor: new Redactor([SECRET]), destination }), lines };
}

function failure(): Error {
  const error = new TypeError(`cannot use ${SECRET}`, { cause: new Error('the root cause') });
  (error as NodeJS.ErrnoException).code = 'ERR_EXAMPLE';
  return error;
}

describe('errors in logs', () => {
  it('keep their type, message, code and cause, censored, without a stack at info', () => {
    const { logger, lines } = capture('info');
    logger.error({ monitor: 'm', err: failure() }, 'internal error');
    assert.deepEqual(lines[0]?.err, { type: 'TypeError', message: 'cannot use [redacted]', code: 'ERR_EXAMPLE', cause: { type: 'Error', message: 'the root cause' } });
    assert.equal(lines[0]?.msg, 'internal error');
    assert.equal(lines[0]?.monitor, 'm');
  });

  it('carry their stack at debug, censored too', () => {
    const { logger, lines } = capture('debug');
    logger.error({ err: failure() }, 'internal error');
    const err = lines[0]?.err as { stack?: string; message: string };
    assert.match(err.stack ?? '', /^TypeError: cannot use \[redacted\]\n\s+at /);
    assert.ok(!JSON.stringify(lines).includes(SECRET));
  });

  it('logged on their own, go under err with their message as the log message', () => {
    const { logger, lines } = capture('info');
    logger.warn(new Error(`lost ${SECRET}`));
    assert.equal(lines[0]?.msg, 'lost [redacted]');
    assert.deepEqual(lines[0]?.err, { type: 'Error', message: 'lost [redacted]' });
  });
});
