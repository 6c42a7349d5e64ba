// MD5 of a JavaScript string's UTF-8 bytes, specialised for what the engine hashes: short keys such
// as "<segment id>,<api key>_<user id>", hashed once or twice per decision. The string is encoded
// into a reused buffer as it is read (no TextEncoder, no allocation) and compressed in place,
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
/** The running digest (A, B, C, D). */
const state = new Int32Array(4);
// MD5 reads little-endian words: on a big-endian machine the views disagree and words are swapped.
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Hashes `text` (as UTF-8), or `text,second` when `second` is given, or `text,second_third` when
 * `third` is too (the parts joined by a comma and an underscore, without building that string), and
 * returns the digest as words: A, B, C, D, each holding four digest bytes in little-endian order.
 * The array is reused by the next call: read it first.
 *
 * Why parts: the engine hashes "<segment id>,<api key>_<identifier>", and a joined string of 13 or
 * more characters is a rope in V8, which reading it character by character first flattens (a copy
 * and a runtime call: more than encoding it). The separators are ASCII, so encoding the parts one
 * after another gives exactly the bytes of the joined string, surrogates included.
 */
export function md5Words(text: string, second?: string, third?: string): Int32Array {
  const units = text.length + (second === undefined ? 0 : 1 + second.length) + (third === undefined ? 0 : 1 + third.length);
  // At most 3 bytes per UTF-16 unit, plus 72 bytes of padding and length.
  if (units * 3 + 72 > bytes.length) {
    bytes = new Uint8Array((units * 3 + 72 + 63) & ~63);
    words = new Int32Array(bytes.buffer);
  }
  let n = encode(text, bytes, 0);
  if (second !== undefined) {
    bytes[n++] = 0x2c;
    n = encode(second, bytes, n);
    if (third !== undefined) {
      bytes[n++] = 0x5f;
      n = encode(third, bytes, n);
    }
  }
  return digest(n);
}

/** Writes `text` as UTF-8 into `out` from byte `n`; returns the byte after it. */
function encode(text: string, out: Uint8Array, n: number): number {
  const length = text.length;
  for (let i = 0; i < length; i++) {
    let code = text.charCodeAt(i);
    if (code < 0x80) {
      out[n++] = code;
    } else if (code < 0x800) {
      out[n++] = 0xc0 | (code >> 6);
      out[n++] = 0x80 | (code & 0x3f);
    } else {
      if (code >= 0xd800 && code < 0xe000) {
        const next = code < 0xdc00 && i + 1 < length ? text.charCodeAt(i + 1) : 0;
        if (next >= 0xdc00 && next < 0xe000) {
          code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
          i++;
          out[n++] = 0xf0 | (code >> 18);
          out[n++] = 0x80 | ((code >> 12) & 0x3f);
          out[n++] = 0x80 | ((code >> 6) & 0x3f);
          out[n++] = 0x80 | (code & 0x3f);
          continue;
        }
        code = 0xfffd;
      }
      out[n++] = 0xe0 | (code >> 12);
      out[n++] = 0x80 | ((code >> 6) & 0x3f);
      out[n++] = 0x80 | (code & 0x3f);
    }
  }
  return n;
}

/** Pads the `n` message bytes in the buffer and compresses them. */
function digest(n: number): Int32Array {
  const out = bytes;
  // Padding: 0x80, zeros up to 56 bytes mod 64, then the length in bits as a 64-bit little-endian number.
  const padded = ((n + 8) & ~63) + 64;
  out[n] = 0x80;
  let zero = n + 1;
  while ((zero & 3) !== 0) out[zero++] = 0;
  const count = padded >> 2;
  const first = zero >> 2;
  if (count === 16) {
    // One block (keys up to 55 bytes): only the words the last one-block message left non-zero.
    for (let word = first; word < tidy; word++) words[word] = 0;
    tidy = first;
  } else {
    for (let word = first; word < count - 2; word++) words[word] = 0;
    tidy = 14;
  }
  if (!LITTLE_ENDIAN) for (let i = 0; i < count - 2; i++) words[i] = swap(words[i]!);
  words[count - 2] = n << 3;
  words[count - 1] = Math.floor(n / 0x20000000);
  state[0] = 0x67452301;
  state[1] = 0xefcdab89 | 0;
  state[2] = 0x98badcfe | 0;
  state[3] = 0x10325476;
  for (let o = 0; o < count; o += 16) compress(words, o);
  return state;
}

/**
 * MD5's compression of the block at word `o` of `view` into `state`. Straight-line code, no loop and
 * no branch, kept apart from the padding's loops: V8 optimizes it on its first hot calls with
 * complete type feedback, so it never deoptimizes. (When the 64 steps shared a function with loops, a
 * deoptimization in a rarely taken loop could leave them in on-stack-replacement code that each call
 * entered only after running the block unoptimized: 30 times slower for the rest of the process.)
 */
function compress(view: Int32Array, o: number): void {
  const x0 = view[o]!, x1 = view[o + 1]!, x2 = view[o + 2]!, x3 = view[o + 3]!, x4 = view[o + 4]!, x5 = view[o + 5]!, x6 = view[o + 6]!, x7 = view[o + 7]!;
  const x8 = view[o + 8]!, x9 = view[o + 9]!, x10 = view[o + 10]!, x11 = view[o + 11]!, x12 = view[o + 12]!, x13 = view[o + 13]!, x14 = view[o + 14]!, x15 = view[o + 15]!;
  const h0 = state[0]!, h1 = state[1]!, h2 = state[2]!, h3 = state[3]!;
  let a = h0;
  let b = h1;
  let c = h2;
  let d = h3;
  // The 64 steps written out: V8 inlines only so many helper calls per function, and a call per
  // step costs more than the step.
  a = (a + ((b & c) | (~b & d)) + x0 - 680876936) | 0;
  a = ((a << 7) | (a >>> 25)) + b | 0;
  d = (d + ((a & b) | (~a & c)) + x1 - 389564586) | 0;
  d = ((d << 12) | (d >>> 20)) + a | 0;
  c = (c + ((d & a) | (~d & b)) + x2 + 606105819) | 0;
  c = ((c << 17) | (c >>> 15)) + d | 0;
  b = (b + ((c & d) | (~c & a)) + x3 - 1044525330) | 0;
  b = ((b << 22) | (b >>> 10)) + c | 0;
  a = (a + ((b & c) | (~b & d)) + x4 - 176418897) | 0;
  a = ((a << 7) | (a >>> 25)) + b | 0;
  d = (d + ((a & b) | (~a & c)) + x5 + 1200080426) | 0;
  d = ((d << 12) | (d >>> 20)) + a | 0;
  c = (c + ((d & a) | (~d & b)) + x6 - 1473231341) | 0;
  c = ((c << 17) | (c >>> 15)) + d | 0;
  b = (b + ((c & d) | (~c & a)) + x7 - 45705983) | 0;
  b = ((b << 22) | (b >>> 10)) + c | 0;
  a = (a + ((b & c) | (~b & d)) + x8 + 1770035416) | 0;
  a = ((a << 7) | (a >>> 25)) + b | 0;
  d = (d + ((a & b) | (~a & c)) + x9 - 1958414417) | 0;
  d = ((d << 12) | (d >>> 20)) + a | 0;
  c = (c + ((d & a) | (~d & b)) + x10 - 42063) | 0;
  c = ((c << 17) | (c >>> 15)) + d | 0;
  b = (b + ((c & d) | (~c & a)) + x11 - 1990404162) | 0;
  b = ((b << 22) | (b >>> 10)) + c | 0;
  a = (a + ((b & c) | (~b & d)) + x12 + 1804603682) | 0;
  a = ((a << 7) | (a >>> 25)) + b | 0;
  d = (d + ((a & b) | (~a & c)) + x13 - 40341101) | 0;
  d = ((d << 12) | (d >>> 20)) + a | 0;
  c = (c + ((d & a) | (~d & b)) + x14 - 1502002290) | 0;
  c = ((c << 17) | (c >>> 15)) + d | 0;
  b = (b + ((c & d) | (~c & a)) + x15 + 1236535329) | 0;
  b = ((b << 22) | (b >>> 10)) + c | 0;

  a = (a + ((b & d) | (c & ~d)) + x1 - 165796510) | 0;
  a = ((a << 5) | (a >>> 27)) + b | 0;
  d = (d + ((a & c) | (b & ~c)) + x6 - 1069501632) | 0;
  d = ((d << 9) | (d >>> 23)) + a | 0;
  c = (c + ((d & b) | (a & ~b)) + x11 + 643717713) | 0;
  c = ((c << 14) | (c >>> 18)) + d | 0;
  b = (b + ((c & a) | (d & ~a)) + x0 - 373897302) | 0;
  b = ((b << 20) | (b >>> 12)) + c | 0;
  a = (a + ((b & d) | (c & ~d)) + x5 - 701558691) | 0;
  a = ((a << 5) | (a >>> 27)) + b | 0;
  d = (d + ((a & c) | (b & ~c)) + x10 + 38016083) | 0;
  d = ((d << 9) | (d >>> 23)) + a | 0;
  c = (c + ((d & b) | (a & ~b)) + x15 - 660478335) | 0;
  c = ((c << 14) | (c >>> 18)) + d | 0;
  b = (b + ((c & a) | (d & ~a)) + x4 - 405537848) | 0;
  b = ((b << 20) | (b >>> 12)) + c | 0;
  a = (a + ((b & d) | (c & ~d)) + x9 + 568446438) | 0;
  a = ((a << 5) | (a >>> 27)) + b | 0;
  d = (d + ((a & c) | (b & ~c)) + x14 - 1019803690) | 0;
  d = ((d << 9) | (d >>> 23)) + a | 0;
  c = (c + ((d & b) | (a & ~b)) + x3 - 187363961) | 0;
  c = ((c << 14) | (c >>> 18)) + d | 0;
  b = (b + ((c & a) | (d & ~a)) + x8 + 1163531501) | 0;
  b = ((b << 20) | (b >>> 12)) + c | 0;
  a = (a + ((b & d) | (c & ~d)) + x13 - 1444681467) | 0;
  a = ((a << 5) | (a >>> 27)) + b | 0;
  d = (d + ((a & c) | (b & ~c)) + x2 - 51403784) | 0;
  d = ((d << 9) | (d >>> 23)) + a | 0;
  c = (c + ((d & b) | (a & ~b)) + x7 + 1735328473) | 0;
  c = ((c << 14) | (c >>> 18)) + d | 0;
  b = (b + ((c & a) | (d & ~a)) + x12 - 1926607734) | 0;
  b = ((b << 20) | (b >>> 12)) + c | 0;

  a = (a + (b ^ c ^ d) + x5 - 378558) | 0;
  a = ((a << 4) | (a >>> 28)) + b | 0;
  d = (d + (a ^ b ^ c) + x8 - 2022574463) | 0;
  d = ((d << 11) | (d >>> 21)) + a | 0;
  c = (c + (d ^ a ^ b) + x11 + 1839030562) | 0;
  c = ((c << 16) | (c >>> 16)) + d | 0;
  b = (b + (c ^ d ^ a) + x14 - 35309556) | 0;
  b = ((b << 23) | (b >>> 9)) + c | 0;
  a = (a + (b ^ c ^ d) + x1 - 1530992060) | 0;
  a = ((a << 4) | (a >>> 28)) + b | 0;
  d = (d + (a ^ b ^ c) + x4 + 1272893353) | 0;
  d = ((d << 11) | (d >>> 21)) + a | 0;
  c = (c + (d ^ a ^ b) + x7 - 155497632) | 0;
  c = ((c << 16) | (c >>> 16)) + d | 0;
  b = (b + (c ^ d ^ a) + x10 - 1094730640) | 0;
  b = ((b << 23) | (b >>> 9)) + c | 0;
  a = (a + (b ^ c ^ d) + x13 + 681279174) | 0;
  a = ((a << 4) | (a >>> 28)) + b | 0;
  d = (d + (a ^ b ^ c) + x0 - 358537222) | 0;
  d = ((d << 11) | (d >>> 21)) + a | 0;
  c = (c + (d ^ a ^ b) + x3 - 722521979) | 0;
  c = ((c << 16) | (c >>> 16)) + d | 0;
  b = (b + (c ^ d ^ a) + x6 + 76029189) | 0;
  b = ((b << 23) | (b >>> 9)) + c | 0;
  a = (a + (b ^ c ^ d) + x9 - 640364487) | 0;
  a = ((a << 4) | (a >>> 28)) + b | 0;
  d = (d + (a ^ b ^ c) + x12 - 421815835) | 0;
  d = ((d << 11) | (d >>> 21)) + a | 0;
  c = (c + (d ^ a ^ b) + x15 + 530742520) | 0;
  c = ((c << 16) | (c >>> 16)) + d | 0;
  b = (b + (c ^ d ^ a) + x2 - 995338651) | 0;
  b = ((b << 23) | (b >>> 9)) + c | 0;

  a = (a + (c ^ (b | ~d)) + x0 - 198630844) | 0;
  a = ((a << 6) | (a >>> 26)) + b | 0;
  d = (d + (b ^ (a | ~c)) + x7 + 1126891415) | 0;
  d = ((d << 10) | (d >>> 22)) + a | 0;
  c = (c + (a ^ (d | ~b)) + x14 - 1416354905) | 0;
  c = ((c << 15) | (c >>> 17)) + d | 0;
  b = (b + (d ^ (c | ~a)) + x5 - 57434055) | 0;
  b = ((b << 21) | (b >>> 11)) + c | 0;
  a = (a + (c ^ (b | ~d)) + x12 + 1700485571) | 0;
  a = ((a << 6) | (a >>> 26)) + b | 0;
  d = (d + (b ^ (a | ~c)) + x3 - 1894986606) | 0;
  d = ((d << 10) | (d >>> 22)) + a | 0;
  c = (c + (a ^ (d | ~b)) + x10 - 1051523) | 0;
  c = ((c << 15) | (c >>> 17)) + d | 0;
  b = (b + (d ^ (c | ~a)) + x1 - 2054922799) | 0;
  b = ((b << 21) | (b >>> 11)) + c | 0;
  a = (a + (c ^ (b | ~d)) + x8 + 1873313359) | 0;
  a = ((a << 6) | (a >>> 26)) + b | 0;
  d = (d + (b ^ (a | ~c)) + x15 - 30611744) | 0;
  d = ((d << 10) | (d >>> 22)) + a | 0;
  c = (c + (a ^ (d | ~b)) + x6 - 1560198380) | 0;
  c = ((c << 15) | (c >>> 17)) + d | 0;
  b = (b + (d ^ (c | ~a)) + x13 + 1309151649) | 0;
  b = ((b << 21) | (b >>> 11)) + c | 0;
  a = (a + (c ^ (b | ~d)) + x4 - 145523070) | 0;
  a = ((a << 6) | (a >>> 26)) + b | 0;
  d = (d + (b ^ (a | ~c)) + x11 - 1120210379) | 0;
  d = ((d << 10) | (d >>> 22)) + a | 0;
  c = (c + (a ^ (d | ~b)) + x2 + 718787259) | 0;
  c = ((c << 15) | (c >>> 17)) + d | 0;
  b = (b + (d ^ (c | ~a)) + x9 - 343485551) | 0;
  b = ((b << 21) | (b >>> 11)) + c | 0;

  state[0] = (h0 + a) | 0;
  state[1] = (h1 + b) | 0;
  state[2] = (h2 + c) | 0;
  state[3] = (h3 + d) | 0;
}

/**
 * The digest of `text` (or `text,second`, or `text,second_third`) as Flagsmith reads it, one 128-bit
 * big-endian integer, modulo 9999, without BigInt: the four 32-bit words weighted by 2^96, 2^64, 2^32
 * and 1 modulo 9999. Every product is below 2^45 and their sum below 2^47, so the sum is an exact
 * double, and one division (exact too: its remainder is either 0 or at least 1/9999 away from the
 * next integer) reduces it.
 */
export function md5Residue(text: string, second?: string, third?: string): number {
  const digest = md5Words(text, second, third);
  // 2^96, 2^64 and 2^32 modulo 9999.
  const sum = swap(digest[0]!) * 7291 + swap(digest[1]!) * 1897 + swap(digest[2]!) * 6835 + swap(digest[3]!);
  return sum - Math.floor(sum / 9999) * 9999;
}

/** The 32-bit word with its bytes reversed, as an unsigned number. */
function swap(word: number): number {
  return (((word & 0xff) << 24) | ((word & 0xff00) << 8) | ((word >>> 8) & 0xff00) | (word >>> 24)) >>> 0;
}
