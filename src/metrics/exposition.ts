/**
 * The Prometheus text format (0.0.4), written directly: prom-client's label hashing and
 * formatting cost ~9 KB and ~0.2 ms per monitor per scrape, which at 50k monitors meant 440 MB
 * and 11 s (docs/performance.md). Label strings are escaped once and kept.
 */
/**
 * Collects exposition text. An array of millions of one-line strings keeps them all alive until
 * the join, so they reach the old generation and garbage collection took 40% of a scrape.
 * Appending to a string and flattening it every 16 KiB lets the lines die young: 10k monitors
 * render in ~0.35 s instead of ~1 s (docs/performance.md).
 */
export class TextBuilder {
  private readonly pieces: string[] = [];
  private current = '';

  push(...texts: string[]): void {
    for (const text of texts) this.current += text;
    if (this.current.length > 16_384) {
      // Number() reads the string whole, which makes V8 flatten the rope now, while its parts are young.
      Number(this.current);
      this.pieces.push(this.current);
      this.current = '';
    }
  }

  join(): string {
    return this.pieces.join('') + this.current;
  }
}

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

export function header(out: TextBuilder, name: string, type: 'gauge' | 'counter' | 'histogram', help: string): void {
  out.push(`# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`);
}

export function sample(out: TextBuilder, name: string, labels: string, value: number): void {
  out.push(labels ? `${name}{${labels}} ${formatValue(value)}\n` : `${name} ${formatValue(value)}\n`);
}

/** A histogram's state: per-bucket counts (not cumulative until rendered), sum and count. */
export class HistogramState {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly buckets: readonly number[]) {
    this.counts = new Float64Array(buckets.length);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    const index = this.buckets.findIndex((bound) => value <= bound);
    if (index >= 0) this.counts[index] = (this.counts[index] ?? 0) + 1;
  }

  render(out: TextBuilder, name: string, labels: string, bucketLabels: readonly string[]): void {
    let cumulative = 0;
    for (let i = 0; i < this.counts.length; i++) {
      cumulative += this.counts[i] ?? 0;
      out.push(`${name}_bucket{${labels},${bucketLabels[i] ?? ''}} ${cumulative}\n`);
    }
    out.push(`${name}_bucket{${labels},le="+Inf"} ${this.count}\n`, `${name}_sum{${labels}} ${formatValue(this.sum)}\n`, `${name}_count{${labels}} ${this.count}\n`);
  }
}
