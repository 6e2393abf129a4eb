/**
 * The Prometheus text format (0.0.4), written directly: prom-client's label hashing and
 * formatting cost ~9 KB and ~0.2 ms per monitor per scrape, which at 50k monitors meant 440 MB
 * and 11 s (docs/performance.md). Label strings are escaped once and kept.
 */

export type MetricType = 'gauge' | 'counter' | 'histogram';

/** Label names Prometheus accepts (the data model), for labels that do not come from the monitor files. */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export function labelPair(name: string, value: string): string {
  return `${name}="${escapeLabelValue(value)}"`;
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

export function header(name: string, type: MetricType, help: string): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;
}

/** One sample line; none (the empty string) when the value was not measured. */
export function sample(name: string, labels: string, value: number | undefined): string {
  if (value === undefined) return '';
  return labels ? `${name}{${labels}} ${formatValue(value)}\n` : `${name} ${formatValue(value)}\n`;
}

/** A histogram's state: per-bucket counts (not cumulative until rendered), sum and count. */
export class HistogramState {
  // 32-bit counts (136 years of a run per second): 16 buckets then fit in 64 bytes, which V8
  // keeps inside the object's heap cell, instead of a separate ArrayBuffer and backing store
  // (~300 bytes more per histogram, four per three-step monitor).
  readonly counts: Uint32Array;
  sum = 0;
  count = 0;

  constructor(private readonly buckets: readonly number[]) {
    this.counts = new Uint32Array(buckets.length);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    const index = this.buckets.findIndex((bound) => value <= bound);
    if (index >= 0) this.counts[index] = (this.counts[index] ?? 0) + 1;
  }

  render(name: string, labels: string, bucketLabels: readonly string[]): string {
    let text = '';
    let cumulative = 0;
    for (let i = 0; i < this.counts.length; i++) {
      cumulative += this.counts[i] ?? 0;
      text += `${name}_bucket{${labels},${bucketLabels[i] ?? ''}} ${cumulative}\n`;
    }
    return `${text}${name}_bucket{${labels},le="+Inf"} ${this.count}\n${name}_sum{${labels}} ${formatValue(this.sum)}\n${name}_count{${labels}} ${this.count}\n`;
  }
}
