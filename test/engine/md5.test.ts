import { createHash, hash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { getHashedPercentageForObjIds } from '../../node_modules/flagsmith-nodejs/build/esm/flagsmith-engine/utils/hashing/index.js';
import { pairBucket, percentageBucket } from '../../runtime/engine/hashing';
import { md5Bytes, md5Modulo, md5Words } from '../../runtime/engine/md5';
import { prng } from '../helpers/random';
import { md5Inputs } from './md5-inputs';

// The engine's MD5 (runtime/engine/md5.ts) against Node's, and its buckets against Flagsmith's own
// formula (flagsmith-nodejs: BigInt of the hex digest, modulo 9999). node:crypto hashes a string as
// Buffer.from(string) encodes it: lone surrogates become U+FFFD, as in TextEncoder.
describe('md5', () => {
  it('is the MD5 of the UTF-8 bytes for known vectors (RFC 1321)', () => {
    const hex = (text: string) => Buffer.from(md5Bytes(text)).toString('hex');
    expect(hex('')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(hex('abc')).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(hex('message digest')).toBe('f96b697d7cb7938d525a2f31aaf161d0');
    expect(hex('12345678901234567890123456789012345678901234567890123456789012345678901234567890')).toBe('57edf4a22be3c955ac49da2e2107b67a');
    // A lone surrogate hashes as U+FFFD would.
    expect(hex('a\ud800b')).toBe(hex('a\ufffdb'));
    expect(hex('\udc00')).toBe(createHash('md5').update('\ufffd').digest('hex'));
  });

  it('equals node:crypto on 1,000,000 random strings (ASCII, multi-byte, surrogate pairs, lone surrogates; 0-300 units)', () => {
    const next = md5Inputs(1321);
    let byteLengths = 0;
    const crossed = new Set<number>();
    for (let i = 0; i < 1_000_000; i++) {
      let text = next();
      // Every other input is hashed as two parts joined by a comma (how buckets hash "<id>,<key>").
      const cut = i % 2 === 1 ? i % (text.length + 1) : -1;
      if (cut >= 0) text = `${text.slice(0, cut)},${text.slice(cut)}`;
      const expected = hash('md5', text, 'buffer') as Buffer;
      const words = cut >= 0 ? md5Words(text.slice(0, cut), text.slice(cut + 1)) : md5Words(text);
      if (words[0] !== expected.readInt32LE(0) || words[1] !== expected.readInt32LE(4) || words[2] !== expected.readInt32LE(8) || words[3] !== expected.readInt32LE(12)) {
        // Report the failing input itself, not just "false".
        expect({ text: JSON.stringify(text), md5: Buffer.from(md5Bytes(text)).toString('hex') }).toEqual({ text: JSON.stringify(text), md5: expected.toString('hex') });
      }
      if (i % 100 === 0) {
        const bytes = Buffer.byteLength(text);
        byteLengths += bytes;
        crossed.add(bytes % 64 <= 55 ? 0 : 1);
      }
    }
    // The inputs really exercised both padding cases and long messages.
    expect([...crossed].sort()).toEqual([0, 1]);
    expect(byteLengths / 10_000).toBeGreaterThan(100);
  });

  it('reduces the digest modulo 9999 as BigInt does', () => {
    const next = md5Inputs(7);
    for (let i = 0; i < 50_000; i++) {
      const text = next();
      const hex = createHash('md5').update(text).digest('hex');
      const expected = Number(BigInt(`0x${hex}`) % 9999n);
      if (md5Modulo(9999, text) !== expected) expect({ text: JSON.stringify(text), residue: md5Modulo(9999, text) }).toEqual({ text: JSON.stringify(text), residue: expected });
    }
  });
});

describe('percentage buckets', () => {
  it("equal flagsmith-nodejs's getHashedPercentageForObjIds on 100,000 random keys", () => {
    const random = prng(99);
    const text = md5Inputs(5);
    for (let i = 0; i < 100_000; i++) {
      // Realistic pairs (a segment id and "<api key>_<identifier>") and arbitrary ones.
      const parts = random() < 0.5 ? [String(Math.floor(random() * 100_000)), `ser.${Math.floor(random() * 1e9).toString(36)}_user-${i}`] : [text(), text()];
      const expected = getHashedPercentageForObjIds(parts);
      const ours = percentageBucket(parts);
      if (ours !== expected || pairBucket(parts[0]!, parts[1]!) !== expected) expect({ parts, ours, pair: pairBucket(parts[0]!, parts[1]!) }).toEqual({ parts, ours: expected, pair: expected });
    }
  });

  it('rehashes exactly as Flagsmith does when a hash lands on 100', () => {
    // A key whose first hash is residue 9998 (found by search; see engine.shared.ts).
    expect(percentageBucket(['12', 'user-7021'])).toBe(getHashedPercentageForObjIds(['12', 'user-7021']));
    expect(md5Modulo(9999, '12,user-7021')).toBe(9998);
  });
});
