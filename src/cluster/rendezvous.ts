import { createHash } from 'node:crypto';

/** A monitor's place in its location: who runs its ticks, and who steps in when that one is silent. */
export interface Placement {
  owner: string;
  /** The next in rank; undefined alone. */
  standby?: string;
}

/** 48 bits of a digest: uniform enough that every member gets its share, and exact in a JS number. */
function score(monitor: string, member: string): number {
  return createHash('md5').update(monitor).update('\u0000').update(member).digest().readUIntBE(0, 6);
}

/**
 * Rendezvous (highest random weight) hashing: each member scores the monitor, the highest
 * owns it. When a member joins or leaves, only the monitors it wins or held move (about 1/N),
 * and every instance that sees the same members computes the same owner without talking.
 * Ties (a 2^-48 chance) go to the smaller name, so the answer never depends on the order.
 */
export function place(monitor: string, members: readonly string[]): Placement | undefined {
  let first: [string, number] | undefined;
  let second: [string, number] | undefined;
  for (const member of members) {
    const entry: [string, number] = [member, score(monitor, member)];
    if (!first || beats(entry, first)) {
      second = first;
      first = entry;
    } else if (!second || beats(entry, second)) {
      second = entry;
    }
  }
  if (!first) return undefined;
  return second ? { owner: first[0], standby: second[0] } : { owner: first[0] };
}

function beats(a: [string, number], b: [string, number]): boolean {
  return a[1] > b[1] || (a[1] === b[1] && a[0] < b[0]);
}
