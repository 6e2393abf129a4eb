import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { RebuildQueue } from '../../src/metrics/rebuild-queue.js';

interface Item {
  name: string;
  rebuiltAt: number;
}

const item = (name: string): Item => ({ name, rebuiltAt: -Infinity });

function queueOf(intervalMs: number, perTurn = 100): { queue: RebuildQueue<Item>; rebuilt: string[] } {
  const rebuilt: string[] = [];
  return { queue: new RebuildQueue<Item>((it) => rebuilt.push(it.name), { intervalMs, perTurn }), rebuilt };
}

async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await nextTurn();
}

describe('when monitor lines are rebuilt', () => {
  it('rebuilds a change in the next turns when the item was not rebuilt recently, a few items per turn', async () => {
    const { queue, rebuilt } = queueOf(60_000, 2);
    const items = ['a', 'b', 'c', 'd', 'e'].map(item);
    for (const it of items) queue.add(it);
    assert.deepEqual(rebuilt, [], 'nothing is rebuilt in the turn of the change');
    await nextTurn();
    assert.deepEqual(rebuilt, ['a', 'b'], 'at most perTurn items in one turn');
    await turns(3);
    assert.deepEqual(rebuilt, ['a', 'b', 'c', 'd', 'e']);
    assert.equal(queue.pending, 0);
  });

  it('holds a change to an item rebuilt less than the interval ago, until a flush rebuilds it at once', async () => {
    const { queue, rebuilt } = queueOf(60_000);
    const a = item('a');
    queue.add(a);
    queue.flush();
    assert.deepEqual(rebuilt, ['a']);
    queue.add(a);
    queue.add(a);
    await turns(5);
    assert.deepEqual(rebuilt, ['a'], 'a second change within the interval waits');
    assert.equal(queue.pending, 1);
    queue.flush();
    assert.deepEqual(rebuilt, ['a', 'a'], 'the flush rebuilds the held change, once for both changes');
    assert.equal(queue.pending, 0);
  });

  // The timeout only stops a broken sweep from hanging the run; the sweep is due after 30 ms.
  it('rebuilds a held change at the next sweep, without a flush', { timeout: 10_000 }, async () => {
    const rebuilt: string[] = [];
    let second: () => void = () => {};
    const swept = new Promise<void>((resolve) => (second = resolve));
    const queue = new RebuildQueue<Item>(
      (it) => {
        rebuilt.push(it.name);
        if (rebuilt.length === 2) second();
      },
      { intervalMs: 30, perTurn: 10 },
    );
    const a = item('a');
    queue.add(a);
    queue.flush();
    queue.add(a);
    // The sweep's timer does not hold the process (it is unref'd); this one does, while the test waits.
    const alive = setTimeout(() => {}, 10_000);
    await swept;
    clearTimeout(alive);
    assert.deepEqual(rebuilt, ['a', 'a']);
    assert.equal(queue.pending, 0);
  });

  it('forgets a deleted item, whichever wait it was in', async () => {
    const { queue, rebuilt } = queueOf(60_000);
    const [soon, later] = [item('soon'), item('later')];
    queue.add(later);
    queue.flush();
    queue.add(later);
    queue.add(soon);
    queue.delete(soon);
    queue.delete(later);
    await turns(2);
    queue.flush();
    assert.deepEqual(rebuilt, ['later'], 'only the rebuild before the deletes');
  });
});
