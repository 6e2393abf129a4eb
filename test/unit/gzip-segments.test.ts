import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { GzipWriter, compressSegment } from '../../src/metrics/gzip-segments.js';
import { combineCrc } from '../../src/metrics/crc32-combine.js';

const line = (i: number) => `stepwatch_step_duration_seconds_bucket{monitor="shop ${i}",step="Get token",le="0.${i}"} ${i * 3}\n`;
const texts = [
  Array.from({ length: 40 }, (_, i) => line(i)).join(''), // long enough to be deflated
  'stepwatch_monitor_up{monitor="shop"} 1\n', // short: stored as it is
  '',
  'stepwatch_monitor_info{monitor="café ☕",team="ünïcode"} 1\n',
  Array.from({ length: 2000 }, (_, i) => line(i % 7)).join(''), // larger than one zlib output chunk
];

describe('gzip from segments compressed apart', () => {
  it('gunzips to the texts joined, in whatever order the segments are joined, with the CRC-32 and length gzip checks', () => {
    const segments = texts.map(compressSegment);
    for (const order of [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [1, 1, 0, 3, 0, 4]]) {
      const out = new GzipWriter(16);
      for (const i of order) out.add(segments[i]!);
      // gunzipSync throws on a wrong CRC-32 or length in the trailer.
      assert.equal(zlib.gunzipSync(out.finish()).toString(), order.map((i) => texts[i]).join(''));
    }
  });

  it('is an empty text when nothing was added', () => {
    assert.equal(zlib.gunzipSync(new GzipWriter().finish()).toString(), '');
  });

  it('combines CRC-32s as zlib computes the CRC-32 of the bytes joined', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 3000 }), (a, b) => {
        const joined = zlib.crc32(Buffer.concat([a, b]));
        assert.equal(combineCrc(zlib.crc32(a), zlib.crc32(b), b.length), joined);
      }),
    );
  });

  it('combines CRC-32s of long texts too (lengths with high bits set)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.integer({ min: 0, max: 3_000_000 }), fc.uint8Array({ maxLength: 64 }), (a, zeros, tail) => {
        const b = Buffer.concat([Buffer.alloc(zeros), tail]);
        assert.equal(combineCrc(zlib.crc32(a), zlib.crc32(b), b.length), zlib.crc32(Buffer.concat([a, b])));
      }),
      { numRuns: 40 },
    );
  });
});
