import type { Monitor } from '../core/monitor.js';
import { place } from './rendezvous.js';
import type { Placement } from './rendezvous.js';

export type Role = 'owner' | 'standby';

/**
 * Who runs which monitor in this location, as this instance sees the members. Recomputed when
 * the members or the monitors change (not per tick), so a tick's question is one map lookup.
 */
export class Placements {
  private members: readonly string[] = [];
  private monitors: readonly Monitor[] = [];
  private placed = new Map<string, Placement>();
  /** Monitors this instance ran without owning them (a standby's claim, a manual run); forgotten when the members change. */
  private readonly adopted = new Set<string>();

  constructor(readonly instance: string) {}

  /** True when the member list changed. */
  setMembers(members: readonly string[]): boolean {
    // We are a member from our own point of view even before our first heartbeat is read back.
    const next = members.includes(this.instance) ? members : [...members, this.instance].sort();
    if (next.length === this.members.length && next.every((member, i) => member === this.members[i])) return false;
    this.members = next;
    this.adopted.clear();
    this.recompute();
    return true;
  }

  setMonitors(monitors: readonly Monitor[]): void {
    this.monitors = monitors;
    for (const name of this.adopted) if (!monitors.some((monitor) => monitor.name === name)) this.adopted.delete(name);
    this.recompute();
  }

  role(monitor: string): Role | undefined {
    const placement = this.placed.get(monitor);
    if (placement?.owner === this.instance) return 'owner';
    if (placement?.standby === this.instance) return 'standby';
    return undefined;
  }

  /** True when this adds the monitor to the ones run here. */
  adopt(monitor: string): boolean {
    if (this.role(monitor) === 'owner' || this.adopted.has(monitor)) return false;
    this.adopted.add(monitor);
    return true;
  }

  /** The monitors whose series this instance exports: owned, plus adopted. */
  runHere(): Set<string> {
    const names = new Set(this.adopted);
    for (const [name, placement] of this.placed) if (placement.owner === this.instance) names.add(name);
    return names;
  }

  owned(): number {
    let count = 0;
    for (const placement of this.placed.values()) if (placement.owner === this.instance) count++;
    return count;
  }

  memberList(): readonly string[] {
    return this.members;
  }

  private recompute(): void {
    const placed = new Map<string, Placement>();
    for (const monitor of this.monitors) {
      if (!monitor.enabled) continue;
      const placement = place(monitor.name, this.members);
      if (placement) placed.set(monitor.name, placement);
    }
    this.placed = placed;
  }
}
