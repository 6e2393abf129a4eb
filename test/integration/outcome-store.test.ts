import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileOutcomeStore, OUTCOMES_FILE } from '../../src/outcomes/file-outcome-store.js';
import type { MonitorOutcome } from '../../src/outcomes/outcome.js';
import { writeFileAtomic } from '../../src/storage/write-file-atomic.js';

const outcome = (monitor: string, consecutiveFailures = 1): MonitorOutcome => ({ monitor, revision: 'r1', up: false, consecutiveFailures, finishedAt: 1_700_000_000_000, failedStep: 'Call', reason: 'status' });

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'stepwatch-outcomes-'));
}

describe('the outcome store', () => {
  it('gathers many records into one write, made on close at the latest, mode 0600', async () => {
    const dir = tempDir();
    try {
      let writes = 0;
      const store = new FileOutcomeStore(path.join(dir, 'data'), { flushDelayMs: 3_600_000, write: (file, text) => (writes++, writeFileAtomic(file, text)) });
      for (let i = 0; i < 500; i++) {
        store.record(outcome(`m${i % 100}`, i));
        // Records come from runs finishing over many turns of the event loop, not in one burst.
        if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      assert.equal(writes, 0, 'nothing written per record');
      await store.close();
      assert.equal(writes, 1, 'one write for all of them');
      const file = path.join(dir, 'data', OUTCOMES_FILE);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { version: number; outcomes: MonitorOutcome[] };
      assert.equal(saved.version, 1);
      assert.equal(saved.outcomes.length, 100);
      assert.deepEqual(saved.outcomes.find((o) => o.monitor === 'm7'), outcome('m7', 407), 'the latest record of each monitor');
      assert.deepEqual(await new FileOutcomeStore(path.join(dir, 'data')).load(), saved.outcomes);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes on its own once the delay has passed', async () => {
    const dir = tempDir();
    try {
      let written: () => void = () => {};
      const wrote = new Promise<void>((resolve) => (written = resolve));
      const store = new FileOutcomeStore(dir, { flushDelayMs: 1, onError: (error) => assert.fail(String(error)) });
      store.record(outcome('a'));
      // The store has no "written" event; the file appearing is the condition.
      const poll = setInterval(() => existsSync(path.join(dir, OUTCOMES_FILE)) && written(), 5);
      await wrote;
      clearInterval(poll);
      await store.close();
      assert.deepEqual((await new FileOutcomeStore(dir).load()).map((o) => o.monitor), ['a']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('forgets monitors that no longer exist', async () => {
    const dir = tempDir();
    try {
      const store = new FileOutcomeStore(dir, { flushDelayMs: 3_600_000 });
      store.record(outcome('kept'));
      store.record(outcome('gone'));
      store.retain(new Set(['kept']));
      await store.close();
      assert.deepEqual((await new FileOutcomeStore(dir).load()).map((o) => o.monitor), ['kept']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('trusts only well-formed entries, and starts empty from a file that is not JSON, saying why', async () => {
    const dir = tempDir();
    try {
      const file = path.join(dir, OUTCOMES_FILE);
      writeFileSync(file, JSON.stringify({ version: 1, outcomes: [outcome('ok'), { ...outcome('bad-reason'), reason: 'x"} 1\nevil' }, { ...outcome('bad-count'), consecutiveFailures: -1 }, { monitor: 'partial' }, null] }));
      assert.deepEqual((await new FileOutcomeStore(dir).load()).map((o) => o.monitor), ['ok']);
      writeFileSync(file, '{"version":1,"outc');
      const errors: string[] = [];
      assert.deepEqual(await new FileOutcomeStore(dir, { onError: (_e, message) => errors.push(message) }).load(), []);
      assert.match(errors[0] ?? '', /is not JSON; starting without last outcomes/);
      mkdirSync(path.join(dir, 'empty'));
      assert.deepEqual(await new FileOutcomeStore(path.join(dir, 'empty'), { onError: (_e, message) => errors.push(message) }).load(), []);
      assert.equal(errors.length, 1, 'a missing file is no error');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
