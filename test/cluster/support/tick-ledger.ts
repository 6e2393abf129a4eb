// Which scheduled ticks ran, and how often, told from the calls a test API received. A request
// cannot carry its scheduled second (templating has no clock), so each call is matched to a tick
// by its arrival time: a tick T's run arrives at T or later, and at most `lateness` after T (a
// standby that claims a tick its owner left unclaimed runs it a grace period late). Calls are
// taken in arrival order, each for the second it arrived in or, when that tick already ran, for
// the earliest tick within `lateness` before it that did not: a call left over is a run beyond one
// per tick, and a tick left over is a lost tick. (Taking the earliest free tick for every call
// would let the empty seconds before the first run absorb any later extra run.) So a tick run
// twice can hide only in ticks lost within `lateness` before it, never in a steady stream; and
// late runs may be counted for slightly different lost ticks than their own, which leaves the
// number of lost ticks, and where they lie, within the stretch of the handover.

/** One request the test API received for a monitor, from the instance named in its query. */
export interface Call {
  monitor: string;
  instance: string;
  /** Arrival, ms since the epoch (the instances and the test share the machine's clock). */
  at: number;
}

export interface TickReport {
  /** Calls that no tick is left for: some tick ran more than once. */
  extra: Call[];
  /** Per monitor, the seconds (Unix) of its ticks matched by a call. */
  ran: Map<string, Set<number>>;
}

/** How late a run may arrive after its tick and still count for it (see the file comment). */
export const DEFAULT_LATENESS_MS = 8_000;
/** Timers may fire a little early; a call this much before a second still counts for it. */
const EARLY_MS = 50;

export function matchTicks(calls: readonly Call[], latenessMs = DEFAULT_LATENESS_MS): TickReport {
  const extra: Call[] = [];
  const ran = new Map<string, Set<number>>();
  const byMonitor = new Map<string, Call[]>();
  for (const call of calls) {
    const own = byMonitor.get(call.monitor);
    if (own) own.push(call);
    else byMonitor.set(call.monitor, [call]);
  }
  for (const [monitor, own] of byMonitor) {
    const taken = new Set<number>();
    for (const call of own.sort((a, b) => a.at - b.at)) {
      const first = Math.ceil((call.at - latenessMs) / 1000);
      const last = Math.floor((call.at + EARLY_MS) / 1000);
      let tick = first;
      if (!taken.has(last)) tick = last;
      else while (tick < last && taken.has(tick)) tick++;
      if (!taken.has(tick)) taken.add(tick);
      else extra.push(call);
    }
    ran.set(monitor, taken);
  }
  return { extra, ran };
}

/** The ticks (Unix seconds) of `monitor` from `fromMs` (inclusive) to `toMs` (exclusive) that did not run. */
export function lostTicks(report: TickReport, monitor: string, fromMs: number, toMs: number): number[] {
  const ran = report.ran.get(monitor) ?? new Set<number>();
  const lost: number[] = [];
  for (let tick = Math.ceil(fromMs / 1000); tick * 1000 < toMs; tick++) if (!ran.has(tick)) lost.push(tick);
  return lost;
}

/** The longest stretch of consecutive lost ticks, in seconds. */
export function longestGap(lost: readonly number[]): number {
  let longest = 0;
  let run = 0;
  lost.forEach((tick, i) => {
    run = i > 0 && lost[i - 1] === tick - 1 ? run + 1 : 1;
    longest = Math.max(longest, run);
  });
  return longest;
}

/** "tick-03 at 18:55:02.041 by b (that second: a, b, c)", for a readable failure. */
export function describeExtra(extra: readonly Call[], calls: readonly Call[], limit = 8): string {
  const second = (at: number) => Math.floor(at / 1000);
  const lines = extra.slice(0, limit).map((call) => {
    const same = calls.filter((other) => other.monitor === call.monitor && second(other.at) === second(call.at)).map((other) => other.instance);
    return `${call.monitor} at ${new Date(call.at).toISOString().slice(11, 23)} by ${call.instance} (runs that second: ${same.join(', ')})`;
  });
  return `${extra.length} run(s) beyond one per tick, e.g.\n  ${lines.join('\n  ')}`;
}
