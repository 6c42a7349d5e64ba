import { createHash, hash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { getHashedPercentageForObjIds } from '../../node_modules/flagsmith-nodejs/build/esm/flagsmith-engine/utils/hashing/index.js';
import { keyBuckets, pairBuckets, percentageBucket } from '../../runtime/engine/hashing';
import { md5Residue, md5Words, md5Start } from '../../runtime/engine/md5';
import { prng } from '../helpers/random';
import { digestBytes, md5Inputs } from './md5-inputs';

// The engine's MD5 (runtime/engine/md5.ts) against Node's, and its buckets against Flagsmith's own
// formula (flagsmith-nodejs: BigInt of the hex digest, modulo 9999). node:crypto hashes a string as
// Buffer.from(string) encodes it: lone surrogates become U+FFFD, as in TextEncoder.
describe('md5', () => {
  it('is the MD5 of the UTF-8 bytes for known vectors (RFC 1321)', () => {
    const hex = (text: string) => Buffer.from(digestBytes(md5Words(text))).toString('hex');
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
      const raw = next();
      // A third of the inputs are hashed whole, a third as a start "<a>," encoded once and a text
      // (how buckets hash "<id>,<key>"), a third as a start "<a>,<b>_" and a text (how they hash
      // "<id>,<api key>_<identifier>" without building the key). Cuts may split a surrogate pair.
      const parts = i % 3;
      const cut = parts > 0 ? i % (raw.length + 1) : 0;
      const cut2 = parts === 2 ? cut + ((i >> 2) % (raw.length - cut + 1)) : 0;
      const [a, b, c] = [raw.slice(0, cut), raw.slice(cut, parts === 2 ? cut2 : undefined), raw.slice(cut2)];
      const text = parts === 0 ? raw : parts === 1 ? `${a},${b}` : `${a},${b}_${c}`;
      const expected = hash('md5', text, 'buffer') as Buffer;
      const words = parts === 0 ? md5Words(raw) : parts === 1 ? md5Words(b, md5Start(`${a},`)) : md5Words(c, md5Start(`${a},${b}_`));
      if (words[0] !== expected.readInt32LE(0) || words[1] !== expected.readInt32LE(4) || words[2] !== expected.readInt32LE(8) || words[3] !== expected.readInt32LE(12)) {
        // Report the failing input and parts themselves, not just "false".
        const ours = Buffer.alloc(16);
        for (let word = 0; word < 4; word++) ours.writeInt32LE(words[word]!, word * 4);
        expect({ parts: JSON.stringify(parts === 0 ? [raw] : parts === 1 ? [a, b] : [a, b, c]), md5: ours.toString('hex') }).toEqual({
          parts: JSON.stringify(parts === 0 ? [raw] : parts === 1 ? [a, b] : [a, b, c]),
          md5: expected.toString('hex'),
        });
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
    // ~17 s alone; the default 60 s is not enough when the test files share two busy cores.
  }, 240_000);

  it('equals node:crypto when hashes with the same starts, other starts, no start, long and non-ASCII keys interleave', () => {
    // md5Residue skips copying a start the buffer still holds from the hash before: every way the
    // buffer's front can be overwritten between two hashes with one start object must be noticed.
    const random = prng(1994);
    const next = md5Inputs(31);
    // Starts end in ASCII, as the engine's do: a lone surrogate at a start's end would pair with the text's.
    const starts = ['17,flagstageTestEnvKey_', '3,ser.bench_', 'a,', '', 'é,😀\ud800_', `${'x'.repeat(50)},`, `${'y'.repeat(70)}_`].map((text) => ({ text, start: md5Start(text) }));
    const residue = (text: string) => Number(BigInt(`0x${createHash('md5').update(text).digest('hex')}`) % 9999n);
    const check = (prefix: string, start: Int32Array | undefined, key: string, words: boolean) => {
      if (!words) {
        const ours = md5Residue(key, start);
        if (ours !== residue(prefix + key)) expect({ prefix, key, residue: ours }).toEqual({ prefix, key, residue: residue(prefix + key) });
        return;
      }
      const expected = (hash('md5', prefix + key, 'buffer') as Buffer).toString('hex');
      const hex = Buffer.from(digestBytes(md5Words(key, start))).toString('hex');
      if (hex !== expected) expect({ prefix, key, md5: hex }).toEqual({ prefix, key, md5: expected });
    };
    for (let i = 0; i < 100_000; i++) {
      // Mostly short ASCII identifiers with the same start, as a gated Worker hashes; the rest random.
      const pick = Math.floor(random() * (starts.length + 2));
      const { text: prefix, start } = pick < starts.length ? starts[pick]! : pick === starts.length ? starts[0]! : { text: '', start: undefined };
      const key = random() < 0.5 ? `user-${Math.floor(random() * 1e6)}`.slice(0, Math.floor(random() * 12)) : next();
      check(prefix, start, key, random() < 0.2);
    }
    // Keys longer than any before, with the start of the hash before them: the buffer is replaced.
    const { text: prefix, start } = starts[0]!;
    for (const length of [4_000, 9_000, 20_000]) for (const key of ['user-1', 'é'.repeat(length), 'user-2']) check(prefix, start, key, false);
  });

  it('reduces the digest modulo 9999 as BigInt does', () => {
    const next = md5Inputs(7);
    for (let i = 0; i < 50_000; i++) {
      // Whole and as a start and a text, as keyBuckets hashes "<id>,<api key>_" and "<identifier>".
      const text = next();
      const cut = i % (text.length + 1);
      const parts = i % 2 === 0 ? [text] : [text.slice(0, cut), text.slice(cut, cut + 9), text.slice(cut + 9)];
      const joined = parts.length === 1 ? text : `${parts[0]},${parts[1]}_${parts[2]}`;
      const expected = Number(BigInt(`0x${createHash('md5').update(joined).digest('hex')}`) % 9999n);
      const ours = parts.length === 1 ? md5Residue(text) : md5Residue(parts[2]!, md5Start(`${parts[0]},${parts[1]}_`));
      if (ours !== expected) expect({ parts: JSON.stringify(parts), residue: ours }).toEqual({ parts: JSON.stringify(parts), residue: expected });
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
      const pair = pairBuckets(parts[0]!)(parts[1]!);
      if (ours !== expected || pair !== expected) expect({ parts, ours, pair }).toEqual({ parts, ours: expected, pair: expected });
    }
  });

  it("hashes a default identity key's parts as Flagsmith hashes the joined key, on 100,000 random identities", () => {
    const random = prng(2027);
    const text = md5Inputs(8);
    // One split's buckets across identities of many environments: each new API key is encoded anew.
    const shared = keyBuckets('7');
    for (let i = 0; i < 100_000; i++) {
      // "<segment or feature-state id>", "<api key>" and "<identifier>": realistic ones and arbitrary text.
      const realistic = random() < 0.5;
      const first = realistic ? String(Math.floor(random() * 100_000)) : text();
      const apiKey = realistic ? `ser.${Math.floor(random() * 1e12).toString(36)}` : text();
      const identifier = realistic ? `user-${i}` : text();
      const expected = getHashedPercentageForObjIds([first, `${apiKey}_${identifier}`]);
      const view = { identifier, key: `${apiKey}_${identifier}`, keyPrefix: apiKey, traits: {} };
      const ours = keyBuckets(first)(view);
      if (ours !== expected) expect({ first, apiKey, identifier, ours }).toEqual({ first, apiKey, identifier, ours: expected });
      const sharedExpected = getHashedPercentageForObjIds(['7', view.key]);
      const sharedOurs = shared(view);
      if (sharedOurs !== sharedExpected) expect({ apiKey, identifier, ours: sharedOurs }).toEqual({ apiKey, identifier, ours: sharedExpected });
    }
    // A given key is hashed as it is.
    const given = { identifier: 'u1', key: 'custom-key', keyPrefix: null, traits: {} };
    expect(keyBuckets('7')(given)).toBe(getHashedPercentageForObjIds(['7', 'custom-key']));
    expect(shared(given)).toBe(getHashedPercentageForObjIds(['7', 'custom-key']));
  });

  it('rehashes exactly as Flagsmith does when a hash lands on 100', () => {
    // A key whose first hash is residue 9998 (found by search; see engine.shared.ts).
    expect(percentageBucket(['12', 'user-7021'])).toBe(getHashedPercentageForObjIds(['12', 'user-7021']));
    expect(md5Residue('12,user-7021')).toBe(9998);
    // The same for a default key hashed in parts: "3,ser.bench_user-26468" lands on 100 first.
    expect(md5Residue('user-26468', md5Start('3,ser.bench_'))).toBe(9998);
    const view = { identifier: 'user-26468', key: 'ser.bench_user-26468', keyPrefix: 'ser.bench', traits: {} };
    expect(keyBuckets('3')(view)).toBe(getHashedPercentageForObjIds(['3', 'ser.bench_user-26468']));
    expect(keyBuckets('3')(view)).not.toBe(100);
    expect(pairBuckets('12')('user-7021')).toBe(getHashedPercentageForObjIds(['12', 'user-7021']));
  });
});
