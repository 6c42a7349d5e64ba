// MD5 of a JavaScript string's UTF-8 bytes, specialised for what the engine hashes: short keys such
// as "<segment id>,<api key>_<user id>", hashed once or twice per decision. An ASCII string is
// encoded into a reused buffer as it is read (no TextEncoder, no allocation) and compressed in place,
// so hashing a 60-byte ASCII key is one pass over the characters and one or two compressions.
//
// A lone surrogate (a UTF-16 half without its pair) encodes as U+FFFD (EF BF BD), exactly as
// TextEncoder and Node's Buffer.from(string) encode it: Flagsmith's SDKs hash what Node's
// createHash('md5').update(string) hashes, and that is Buffer's UTF-8.
//
// Module-level scratch, not state: every call overwrites what it reads before reading it, and the
// engine is synchronous, so no two hashes ever interleave.

/** The message as bytes, padded; `words` views the same memory as MD5's 32-bit words. */
let bytes = new Uint8Array(512);
let words = new Int32Array(bytes.buffer);
/**
 * Words [tidy, 14) of the buffer are zero: a one-block message pads with zeros up to word 14, and the
 * next one-block message writes its bytes and padding only below its own first zero word, so it need
 * zero only what lies between the two. 14 when nothing is known (after a longer message).
 */
let tidy = 14;
/**
 * The start whose words lie at the front of the buffer, or null/undefined when none is known to. A
 * one-block message writes only from its start's last byte on, so the next hash with the same start
 * (every gated request hashes with its split's) skips the copy: ~160 instructions per hash in
 * workerd's Maglev. Forgotten when anything writes below: a later block moved to the front, a new
 * buffer, a big-endian swap, a hash with another start or none.
 */
let held: Int32Array | null | undefined;
/** The running digest (A, B, C, D). */
const state = new Int32Array(4);
// MD5 reads little-endian words: on a big-endian machine the views disagree and words are swapped.
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Hashes `start` (from `md5Start`) followed by `text` as UTF-8, and returns the digest as words:
 * A, B, C, D, each holding four digest bytes in little-endian order. The array is reused by the
 * next call: read it first.
 */
export function md5Words(text: string, start?: Int32Array): Int32Array {
  md5Residue(text, start);
  return state;
}

/**
 * The start of many hashed keys, encoded once for `md5Words`: its UTF-8 byte length, then its
 * bytes as words. A start ending in ASCII (a comma, an underscore) hashes exactly as the joined
 * string would, whatever surrogates the text after it holds. Encoded by TextEncoder (lone surrogates
 * as U+FFFD too): it runs once per split or API key, not per hash.
 */
export function md5Start(text: string): Int32Array {
  const encoded = new TextEncoder().encode(text);
  const start = new Int32Array((encoded.length + 7) >> 2);
  new Uint8Array(start.buffer, 4).set(encoded);
  start[0] = encoded.length;
  return start;
}

/**
 * MD5's 64 additive constants: the integer part of 2^32 * |sin(i + 1)|, as RFC 1321 defines them
 * (computed, not written out: 600 bytes less). `compress` writes 22 of them as literals (see there)
 * and reads the rest from here. Scaling by 2^32 is exact, and the closest of the 64
 * products lies 0.015 from an integer, far beyond any sine error; the tests against node:crypto and
 * workerd's MD5 check all 64.
 */
const K = new Int32Array(64);
for (let i = 0; i < 64; i++) K[i] = Math.abs(Math.sin(i + 1)) * 2 ** 32;

/**
 * MD5's compression of the block in words 0-15 of `x` into `state`: the 64 steps written out, the
 * message words read into locals once. workerd runs this in V8's middle tier, Maglev, for an
 * isolate's first thousands of hashes (it reached Turbofan only after ~7,900 in the gate bench), and
 * there each typed-array load costs 10-20 instructions: the four loops of four steps this replaces
 * read a message word and a constant per step from arrays, 128 loads per compression. Counted in
 * workerd (the gate bench, README layout, 2 processes each, same time): +11.0k -> +9.8k instructions
 * per gated request (+5.8% -> +5.1%); in Node 20 evaluate is 5-14% faster (same-process A/B); it costs
 * +381 B gzip of the all-exports bundle. The first 22 constants are literals, the rest read from
 * `K`: each literal saves Maglev a load, ~8 instructions per hash, and costs ~6-7 B gzip; 22 is what
 * the edge bundle's 15,360 B has room for. 49 were, until their bytes bought more elsewhere: the Hono
 * gate's per-request memo (11 literals' bytes, ~400 instructions less) and workerd's lookup of ids by
 * property, in IN lists and identity overrides (16 literals, ~800 less; see operators.ts). A negative
 * constant is subtracted, one character less. No branch, and kept apart from the padding's loops:
 * when the steps shared a function with them, a deoptimization in a rarely taken loop could leave
 * the steps in on-stack-replacement code, 30 times slower for the rest of the process.
 * Every step's rotation and word are constants, as Maglev needs them: with a step function, Maglev
 * inlined only half the calls and boxed the rest's 32-bit values in heap numbers.
 *
 * A step's sum: the round's function of the last step's result comes last, so the rest is summed
 * while that step still runs (5-10% faster than adding it first). Not truncated: it is exact (below
 * 2^34), and both shifts take it modulo 2^32. Rounds 1 and 2 select bits as z ^ (x & (y ^ z)),
 * which equals (x & y) | (~x & z) in three operations instead of four (~50 instructions less per
 * compression in Maglev, and 8 B less gzip).
 */
function compress(x: Int32Array): void {
  const k = K;
  const x0 = x[0]!, x1 = x[1]!, x2 = x[2]!, x3 = x[3]!, x4 = x[4]!, x5 = x[5]!, x6 = x[6]!, x7 = x[7]!, x8 = x[8]!, x9 = x[9]!, x10 = x[10]!, x11 = x[11]!, x12 = x[12]!, x13 = x[13]!, x14 = x[14]!, x15 = x[15]!;
  let a = state[0]!, b = state[1]!, c = state[2]!, d = state[3]!, t: number;
  t = x0 - 680876936 + a + (d ^ (b & (c ^ d)));
  a = (((t << 7) | (t >>> 25)) + b) | 0;
  t = x1 - 389564586 + d + (c ^ (a & (b ^ c)));
  d = (((t << 12) | (t >>> 20)) + a) | 0;
  t = x2 + 606105819 + c + (b ^ (d & (a ^ b)));
  c = (((t << 17) | (t >>> 15)) + d) | 0;
  t = x3 - 1044525330 + b + (a ^ (c & (d ^ a)));
  b = (((t << 22) | (t >>> 10)) + c) | 0;
  t = x4 - 176418897 + a + (d ^ (b & (c ^ d)));
  a = (((t << 7) | (t >>> 25)) + b) | 0;
  t = x5 + 1200080426 + d + (c ^ (a & (b ^ c)));
  d = (((t << 12) | (t >>> 20)) + a) | 0;
  t = x6 - 1473231341 + c + (b ^ (d & (a ^ b)));
  c = (((t << 17) | (t >>> 15)) + d) | 0;
  t = x7 - 45705983 + b + (a ^ (c & (d ^ a)));
  b = (((t << 22) | (t >>> 10)) + c) | 0;
  t = x8 + 1770035416 + a + (d ^ (b & (c ^ d)));
  a = (((t << 7) | (t >>> 25)) + b) | 0;
  t = x9 - 1958414417 + d + (c ^ (a & (b ^ c)));
  d = (((t << 12) | (t >>> 20)) + a) | 0;
  t = x10 - 42063 + c + (b ^ (d & (a ^ b)));
  c = (((t << 17) | (t >>> 15)) + d) | 0;
  t = x11 - 1990404162 + b + (a ^ (c & (d ^ a)));
  b = (((t << 22) | (t >>> 10)) + c) | 0;
  t = x12 + 1804603682 + a + (d ^ (b & (c ^ d)));
  a = (((t << 7) | (t >>> 25)) + b) | 0;
  t = x13 - 40341101 + d + (c ^ (a & (b ^ c)));
  d = (((t << 12) | (t >>> 20)) + a) | 0;
  t = x14 - 1502002290 + c + (b ^ (d & (a ^ b)));
  c = (((t << 17) | (t >>> 15)) + d) | 0;
  t = x15 + 1236535329 + b + (a ^ (c & (d ^ a)));
  b = (((t << 22) | (t >>> 10)) + c) | 0;
  t = x1 - 165796510 + a + (c ^ (d & (b ^ c)));
  a = (((t << 5) | (t >>> 27)) + b) | 0;
  t = x6 - 1069501632 + d + (b ^ (c & (a ^ b)));
  d = (((t << 9) | (t >>> 23)) + a) | 0;
  t = x11 + 643717713 + c + (a ^ (b & (d ^ a)));
  c = (((t << 14) | (t >>> 18)) + d) | 0;
  t = x0 - 373897302 + b + (d ^ (a & (c ^ d)));
  b = (((t << 20) | (t >>> 12)) + c) | 0;
  t = x5 - 701558691 + a + (c ^ (d & (b ^ c)));
  a = (((t << 5) | (t >>> 27)) + b) | 0;
  t = x10 + 38016083 + d + (b ^ (c & (a ^ b)));
  d = (((t << 9) | (t >>> 23)) + a) | 0;
  t = x15 + k[22]! + c + (a ^ (b & (d ^ a)));
  c = (((t << 14) | (t >>> 18)) + d) | 0;
  t = x4 + k[23]! + b + (d ^ (a & (c ^ d)));
  b = (((t << 20) | (t >>> 12)) + c) | 0;
  t = x9 + k[24]! + a + (c ^ (d & (b ^ c)));
  a = (((t << 5) | (t >>> 27)) + b) | 0;
  t = x14 + k[25]! + d + (b ^ (c & (a ^ b)));
  d = (((t << 9) | (t >>> 23)) + a) | 0;
  t = x3 + k[26]! + c + (a ^ (b & (d ^ a)));
  c = (((t << 14) | (t >>> 18)) + d) | 0;
  t = x8 + k[27]! + b + (d ^ (a & (c ^ d)));
  b = (((t << 20) | (t >>> 12)) + c) | 0;
  t = x13 + k[28]! + a + (c ^ (d & (b ^ c)));
  a = (((t << 5) | (t >>> 27)) + b) | 0;
  t = x2 + k[29]! + d + (b ^ (c & (a ^ b)));
  d = (((t << 9) | (t >>> 23)) + a) | 0;
  t = x7 + k[30]! + c + (a ^ (b & (d ^ a)));
  c = (((t << 14) | (t >>> 18)) + d) | 0;
  t = x12 + k[31]! + b + (d ^ (a & (c ^ d)));
  b = (((t << 20) | (t >>> 12)) + c) | 0;
  t = x5 + k[32]! + a + (b ^ c ^ d);
  a = (((t << 4) | (t >>> 28)) + b) | 0;
  t = x8 + k[33]! + d + (a ^ b ^ c);
  d = (((t << 11) | (t >>> 21)) + a) | 0;
  t = x11 + k[34]! + c + (d ^ a ^ b);
  c = (((t << 16) | (t >>> 16)) + d) | 0;
  t = x14 + k[35]! + b + (c ^ d ^ a);
  b = (((t << 23) | (t >>> 9)) + c) | 0;
  t = x1 + k[36]! + a + (b ^ c ^ d);
  a = (((t << 4) | (t >>> 28)) + b) | 0;
  t = x4 + k[37]! + d + (a ^ b ^ c);
  d = (((t << 11) | (t >>> 21)) + a) | 0;
  t = x7 + k[38]! + c + (d ^ a ^ b);
  c = (((t << 16) | (t >>> 16)) + d) | 0;
  t = x10 + k[39]! + b + (c ^ d ^ a);
  b = (((t << 23) | (t >>> 9)) + c) | 0;
  t = x13 + k[40]! + a + (b ^ c ^ d);
  a = (((t << 4) | (t >>> 28)) + b) | 0;
  t = x0 + k[41]! + d + (a ^ b ^ c);
  d = (((t << 11) | (t >>> 21)) + a) | 0;
  t = x3 + k[42]! + c + (d ^ a ^ b);
  c = (((t << 16) | (t >>> 16)) + d) | 0;
  t = x6 + k[43]! + b + (c ^ d ^ a);
  b = (((t << 23) | (t >>> 9)) + c) | 0;
  t = x9 + k[44]! + a + (b ^ c ^ d);
  a = (((t << 4) | (t >>> 28)) + b) | 0;
  t = x12 + k[45]! + d + (a ^ b ^ c);
  d = (((t << 11) | (t >>> 21)) + a) | 0;
  t = x15 + k[46]! + c + (d ^ a ^ b);
  c = (((t << 16) | (t >>> 16)) + d) | 0;
  t = x2 + k[47]! + b + (c ^ d ^ a);
  b = (((t << 23) | (t >>> 9)) + c) | 0;
  t = x0 + k[48]! + a + (c ^ (b | ~d));
  a = (((t << 6) | (t >>> 26)) + b) | 0;
  t = x7 + k[49]! + d + (b ^ (a | ~c));
  d = (((t << 10) | (t >>> 22)) + a) | 0;
  t = x14 + k[50]! + c + (a ^ (d | ~b));
  c = (((t << 15) | (t >>> 17)) + d) | 0;
  t = x5 + k[51]! + b + (d ^ (c | ~a));
  b = (((t << 21) | (t >>> 11)) + c) | 0;
  t = x12 + k[52]! + a + (c ^ (b | ~d));
  a = (((t << 6) | (t >>> 26)) + b) | 0;
  t = x3 + k[53]! + d + (b ^ (a | ~c));
  d = (((t << 10) | (t >>> 22)) + a) | 0;
  t = x10 + k[54]! + c + (a ^ (d | ~b));
  c = (((t << 15) | (t >>> 17)) + d) | 0;
  t = x1 + k[55]! + b + (d ^ (c | ~a));
  b = (((t << 21) | (t >>> 11)) + c) | 0;
  t = x8 + k[56]! + a + (c ^ (b | ~d));
  a = (((t << 6) | (t >>> 26)) + b) | 0;
  t = x15 + k[57]! + d + (b ^ (a | ~c));
  d = (((t << 10) | (t >>> 22)) + a) | 0;
  t = x6 + k[58]! + c + (a ^ (d | ~b));
  c = (((t << 15) | (t >>> 17)) + d) | 0;
  t = x13 + k[59]! + b + (d ^ (c | ~a));
  b = (((t << 21) | (t >>> 11)) + c) | 0;
  t = x4 + k[60]! + a + (c ^ (b | ~d));
  a = (((t << 6) | (t >>> 26)) + b) | 0;
  t = x11 + k[61]! + d + (b ^ (a | ~c));
  d = (((t << 10) | (t >>> 22)) + a) | 0;
  t = x2 + k[62]! + c + (a ^ (d | ~b));
  c = (((t << 15) | (t >>> 17)) + d) | 0;
  t = x9 + k[63]! + b + (d ^ (c | ~a));
  b = (((t << 21) | (t >>> 11)) + c) | 0;
  state[0] = state[0]! + a;
  state[1] = state[1]! + b;
  state[2] = state[2]! + c;
  state[3] = state[3]! + d;
}

/**
 * The digest of `start` and `text` as Flagsmith reads it, one 128-bit big-endian integer, modulo
 * 9999, without BigInt: the four 32-bit words weighted by 2^96, 2^64, 2^32 and 1 modulo 9999. Every
 * product is below 2^45 and their sum below 2^47, so the sum is an exact double, and one division
 * (exact too: its remainder is either 0 or at least 1/9999 away from the next integer) reduces it.
 *
 * Why a start: the engine hashes "<segment id>,<api key>_<identifier>" for every identity, and the
 * part before the identifier never changes, so it is encoded once and copied a word at a time
 * (encoding costs about 40 instructions a character). Nor is the key built: a joined string of 13
 * or more characters is a rope in V8, which reading it character by character first flattens.
 */
export function md5Residue(text: string, start?: Int32Array): number {
  const length = text.length;
  let n = start?.[0] ?? 0;
  // At most 3 bytes per UTF-16 unit, plus 72 bytes of padding and length.
  const most = n + length * 3 + 72;
  if (most > bytes.length) (words = new Int32Array((bytes = new Uint8Array((most + 63) & ~63)).buffer)), (held = null);
  // The start's last word may end in zeros past its bytes: the text's bytes overwrite them.
  if (start !== held && start) for (let i = 1; i < start.length; i++) words[i - 1] = start[i]!;
  held = start;
  // The text as UTF-8: ASCII here, one byte a character, the rest from the first other character by
  // TextEncoder (lone surrogates as U+FFFD too), rare in keys. No encoder function: Maglev, which runs
  // this for a workerd isolate's first thousands of hashes, did not inline it, and calling it cost
  // ~430 instructions per hash.
  const out = bytes;
  let i = 0;
  for (let code; i < length && (code = text.charCodeAt(i)) < 0x80; i++) out[n++] = code;
  if (i < length) n += new TextEncoder().encodeInto(text.slice(i), out.subarray(n)).written;
  // Padding: 0x80, zeros up to 56 bytes mod 64, then the length in bits as a 64-bit little-endian number.
  const count = (((n + 8) >> 6) + 1) << 4;
  const last = n >> 2;
  if (!LITTLE_ENDIAN) for (let i = 0; i <= last; i++) (words[i] = swap(words[i]!)), (held = null);
  // The word holding byte n keeps the message's bytes below n, then 0x80, then zeros: one store
  // instead of a loop whose length changes with every key.
  const shift = (n & 3) << 3;
  words[last] = (words[last]! & ((1 << shift) - 1)) | (0x80 << shift);
  const first = last + 1;
  // One block (keys up to 55 bytes): only the words the last one-block message left non-zero. At
  // least one store (word `first` is zero or the length either way), so the store always has type
  // feedback: Maglev deoptimizes at a store it never saw run, and in a workload of same-length keys
  // only the first shorter key runs it (seen in workerd: the hash then ran in baseline code).
  let word = first;
  do words[word] = 0;
  while (++word < (count === 16 ? tidy : count - 2));
  tidy = count === 16 ? first : 14;
  words[count - 2] = n << 3;
  // The store truncates, as Math.floor would (n is never negative).
  words[count - 1] = n / 2 ** 29;
  // MD5's initial state; its last two words are the first two inverted (fewer bytes than four constants).
  state[2] = ~(state[0] = 0x67452301);
  state[3] = ~(state[1] = 0xefcdab89);
  compress(words);
  // A longer message's later blocks move to the front in turn: `compress` reads words 0-15 only.
  for (let o = 16; o < count; o += 16) compress(words.copyWithin(0, o, o + 16)), (held = null);
  // 2^96, 2^64 and 2^32 modulo 9999.
  const sum = swap(state[0]!) * 7291 + swap(state[1]!) * 1897 + swap(state[2]!) * 6835 + swap(state[3]!);
  return sum - Math.floor(sum / 9999) * 9999;
}

/** The 32-bit word with its bytes reversed, as an unsigned number. */
function swap(word: number): number {
  return (((word & 0xff) << 24) | ((word & 0xff00) << 8) | ((word >>> 8) & 0xff00) | (word >>> 24)) >>> 0;
}
