/**
 * CRC-32 of A followed by B from CRC(A), CRC(B) and B's length (zlib's crc32_combine, RFC 1952
 * §8), with tables: a scrape combines one CRC per piece (~140k at 10k monitors), and zlib's
 * bit-by-bit multiply took ~30% of building the answer (docs/performance.md, "/metrics").
 *
 * Combining multiplies CRC(A) by x^(8·len(B)) modulo the polynomial, a linear map of CRC(A)'s
 * bits. It is done as one step per set bit k of len(B): "followed by 2^k zero bytes", each step
 * four byte-table lookups (a 32×32 bit matrix split by bytes), instead of up to 32 shift-and-add
 * rounds per piece.
 */

const POLY = 0xedb88320;
/** Lengths up to 2^LEVELS - 1 bytes: far beyond one piece or one answer (4 GiB). */
const LEVELS = 32;

/** a·b modulo the CRC-32 polynomial, in zlib's reflected bit order (crc32.c, multmodp). */
function multiplyModPoly(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if ((a & m) !== 0) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/**
 * For level k, four tables of 256: what each byte of a CRC becomes when the CRC is followed by
 * 2^k zero bytes. Level k starts at TABLES[k * 1024]; byte j of the CRC indexes table j.
 */
const TABLES: Uint32Array = (() => {
  const tables = new Uint32Array(LEVELS * 1024);
  // x^(8·2^k): x^8 (0x00800000 in reflected order), squared k times.
  let power = 0x00800000;
  for (let k = 0; k < LEVELS; k++) {
    for (let j = 0; j < 4; j++) {
      const table = k * 1024 + j * 256;
      // Linear: the image of a byte is the XOR of the images of its bits.
      for (let bit = 0; bit < 8; bit++) tables[table + (1 << bit)] = multiplyModPoly(power, (1 << (8 * j + bit)) >>> 0);
      for (let byte = 3; byte < 256; byte++) {
        const low = byte & -byte;
        if (low !== byte) tables[table + byte] = (tables[table + low] ?? 0) ^ (tables[table + (byte ^ low)] ?? 0);
      }
    }
    power = multiplyModPoly(power, power);
  }
  return tables;
})();

/** CRC-32 of A followed by B, from CRC(A), CRC(B) and the length of B in bytes. */
export function combineCrc(crcA: number, crcB: number, lengthB: number): number {
  let crc = crcA;
  let k = 0;
  for (let n = lengthB; n > 0 && crc !== 0; k++) {
    if (n % 2 === 1) {
      const t = k * 1024;
      crc = (TABLES[t + (crc & 0xff)] ?? 0) ^ (TABLES[t + 256 + ((crc >>> 8) & 0xff)] ?? 0) ^ (TABLES[t + 512 + ((crc >>> 16) & 0xff)] ?? 0) ^ (TABLES[t + 768 + (crc >>> 24)] ?? 0);
    }
    n = Math.floor(n / 2);
  }
  return (crc ^ crcB) >>> 0;
}
