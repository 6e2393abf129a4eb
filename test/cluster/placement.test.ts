import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { place } from '../../src/cluster/rendezvous.js';
import { Membership, MEMBER_TIMEOUT_MS } from '../../src/cluster/membership.js';
import { withClusterDatabase } from '../support/cluster.js';

const MONITORS = Array.from({ length: 3000 }, (_, i) => `monitor-${i}`);
const owners = (members: string[]) => new Map(MONITORS.map((name) => [name, place(name, members)?.owner]));
const moved = (before: Map<string, string | undefined>, after: Map<string, string | undefined>) => MONITORS.filter((name) => before.get(name) !== after.get(name)).length;

describe('placing monitors on the members of a location (rendezvous)', () => {
  it('spreads monitors evenly and moves about 1/N of them when one of N members joins or leaves', () => {
    const four = owners(['a', 'b', 'c', 'd']);
    for (const member of ['a', 'b', 'c', 'd']) {
      const share = [...four.values()].filter((owner) => owner === member).length / MONITORS.length;
      assert.ok(share > 0.2 && share < 0.3, `${member} owns ${share} of the monitors`);
    }
    const five = owners(['a', 'b', 'c', 'd', 'e']);
    const joined = moved(four, five) / MONITORS.length;
    assert.ok(joined > 0.15 && joined < 0.25, `a fifth member takes ~1/5: ${joined}`);
    assert.ok(MONITORS.every((name) => four.get(name) === five.get(name) || five.get(name) === 'e'), 'monitors move only to the newcomer');
    const three = owners(['a', 'c', 'd']);
    const left = moved(four, three) / MONITORS.length;
    assert.ok(left > 0.2 && left < 0.3, `a leaving member hands over only its ~1/4: ${left}`);
    assert.ok(MONITORS.every((name) => four.get(name) === three.get(name) || four.get(name) === 'b'), "only the leaver's monitors move");
  });

  it('names a standby other than the owner, and the same placement whatever the order of the members', () => {
    for (const name of MONITORS.slice(0, 200)) {
      const placement = place(name, ['x', 'y', 'z']);
      assert.notEqual(placement?.standby, placement?.owner);
      assert.deepEqual(place(name, ['z', 'x', 'y']), placement);
    }
    assert.deepEqual(place('m', ['solo']), { owner: 'solo' });
  });
});

describe('membership', () => {
  it('counts a member as gone once it has not heartbeated for 15 s, and back when it does', async () => {
    await withClusterDatabase(async (db) => {
      const pool = db.pool();
      let now = new Date('2030-01-01T00:00:00Z');
      const clock = () => now;
      const a = new Membership(pool, 'a', 'eu', clock);
      const b = new Membership(pool, 'b', 'eu', clock);
      const us = new Membership(pool, 'c', 'us', clock);
      await a.beat();
      await b.beat();
      await us.beat();
      now = new Date(now.getTime() + MEMBER_TIMEOUT_MS - 1_000);
      const fresh = await a.beat();
      assert.deepEqual(fresh.local, ['a', 'b'], 'b heard from 14 s ago is a member');
      assert.deepEqual([...fresh.perLocation].sort(), [['eu', 2], ['us', 1]]);
      now = new Date(now.getTime() + 2_000);
      const later = await a.beat();
      assert.deepEqual(later.local, ['a'], 'b silent for 16 s is gone');
      assert.deepEqual([...later.perLocation], [['eu', 1]]);
      await b.beat();
      assert.deepEqual((await a.read()).local, ['a', 'b']);
      await b.leave();
      assert.deepEqual((await a.read()).local, ['a'], 'a member that leaves is gone at once');
    });
  });
});
