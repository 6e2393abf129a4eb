import zlib from 'node:zlib';
import { deflateSegment } from './gzip-segments.js';
import type { GzipWriter } from './gzip-segments.js';
import { MONITOR_FAMILIES } from './monitor-families.js';
import type { FamilyMask } from './monitor-families.js';
import type { MonitorSeries } from './monitor-series.js';

// Per family: start and end in `bytes`, then the CRC and length of the text (gzip-segments.ts).
const FIELDS = 4;
const INDEX_BYTES = MONITOR_FAMILIES.length * FIELDS * 4;
const EMPTY = Buffer.alloc(0);

/**
 * One monitor's lines of every family, kept compressed (docs/performance.md, "/metrics"): rebuilt
 * when the monitor's series change, so that a scrape only copies bytes. A family whose text did
 * not change (same CRC-32 and length) keeps its compressed bytes: a run of a healthy monitor
 * changes about 5 of the 14 groups.
 */
export class MonitorBlock {
  // The index and the compressed bytes share one ArrayBuffer (index first): one backing store
  // per monitor instead of two (each costs ~250 bytes of bookkeeping besides its bytes).
  private index = new Uint32Array(MONITOR_FAMILIES.length * FIELDS);
  private bytes: Buffer = EMPTY;

  /** Renders the families in `families` anew and compresses those whose text changed. */
  update(series: MonitorSeries, families: FamilyMask): void {
    const fresh: Array<Buffer | undefined> = [];
    let changed = false;
    for (let f = 0; f < MONITOR_FAMILIES.length; f++) {
      const lines = MONITOR_FAMILIES[f]?.lines;
      if (!lines || (families & (1 << f)) === 0) continue;
      const plain = Buffer.from(lines(series));
      const crc = plain.length === 0 ? 0 : zlib.crc32(plain);
      const at = f * FIELDS;
      if (crc === this.index[at + 2] && plain.length === this.index[at + 3]) continue;
      fresh[f] = plain.length === 0 ? EMPTY : deflateSegment(plain);
      this.index[at + 2] = crc;
      this.index[at + 3] = plain.length;
      changed = true;
    }
    if (changed) this.pack(fresh);
  }

  /** Appends this monitor's lines of family `f` (an index in MONITOR_FAMILIES). */
  writeFamily(f: number, out: GzipWriter): void {
    const at = f * FIELDS;
    out.addPart(this.bytes, this.index[at] ?? 0, this.index[at + 1] ?? 0, this.index[at + 2] ?? 0, this.index[at + 3] ?? 0);
  }

  /** Compressed bytes held. */
  get size(): number {
    return this.bytes.length;
  }

  // One exact-size store per monitor: a slice of zlib's 16 KiB output chunk, or of Node's shared
  // pool, would keep the whole chunk alive for as long as the monitor's lines stay unchanged.
  private pack(fresh: Array<Buffer | undefined>): void {
    let total = 0;
    for (let f = 0; f < MONITOR_FAMILIES.length; f++) {
      const at = f * FIELDS;
      total += fresh[f]?.length ?? (this.index[at + 1] ?? 0) - (this.index[at] ?? 0);
    }
    const store = new ArrayBuffer(INDEX_BYTES + total);
    const index = new Uint32Array(store, 0, this.index.length);
    index.set(this.index);
    const packed = Buffer.from(store, INDEX_BYTES, total);
    let offset = 0;
    for (let f = 0; f < MONITOR_FAMILIES.length; f++) {
      const at = f * FIELDS;
      const segment = fresh[f];
      const size = segment ? segment.copy(packed, offset) : this.bytes.copy(packed, offset, this.index[at] ?? 0, this.index[at + 1] ?? 0);
      index[at] = offset;
      index[at + 1] = offset + size;
      offset += size;
    }
    this.index = index;
    this.bytes = packed;
  }
}
