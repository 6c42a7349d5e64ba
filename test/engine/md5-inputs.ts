import { prng } from '../helpers/random';

/**
 * Random strings for the MD5 property tests: every kind of UTF-16 the engine may be handed, with
 * lengths that cross MD5's 55/56-byte padding boundary and the 64-byte block boundary again and
 * again. A third of the inputs are plain ASCII (what identity keys usually are); the rest are cut
 * from a random mix of ASCII, 2-byte and 3-byte UTF-8 characters, surrogate pairs (4 bytes) and lone
 * surrogates (which UTF-8 encoders replace with U+FFFD: 3 bytes). A cut may also split a pair,
 * leaving a lone surrogate at either end. Inputs are slices of two long random strings, so that a
 * million of them cost little to make.
 */
export function md5Inputs(seed: number): () => string {
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const ascii = pool(1 << 16, () => [int(0x80)]);
  const mixed = pool(1 << 18, () => {
    switch (int(6)) {
      case 0:
      case 1:
        return [int(0x80)];
      case 2:
        return [0x80 + int(0x780)];
      case 3: {
        // The BMP above U+0800, surrogates excluded.
        const code = 0x800 + int(0xf800 - 0x800);
        return [code >= 0xd800 ? code + 0x800 : code];
      }
      case 4: {
        const point = int(0x100000);
        return [0xd800 + (point >> 10), 0xdc00 + (point & 0x3ff)];
      }
      default:
        // A lone high or low surrogate.
        return [random() < 0.5 ? 0xd800 + int(0x400) : 0xdc00 + int(0x400)];
    }
  });
  return () => {
    // Half the lengths near the first two block boundaries, half anywhere up to 300 units.
    const length = random() < 0.5 ? 40 + int(100) : int(301);
    const source = random() < 1 / 3 ? ascii : mixed;
    const start = int(source.length - length);
    return source.slice(start, start + length);
  };
}

function pool(size: number, next: () => number[]): string {
  const codes: number[] = [];
  while (codes.length < size) codes.push(...next());
  let text = '';
  for (let i = 0; i < codes.length; i += 8192) text += String.fromCharCode(...codes.slice(i, i + 8192));
  return text;
}

/** The digest's 16 bytes from `md5Words`' four little-endian words (what `digest('hex')` prints). */
export function digestBytes(words: Int32Array): Uint8Array {
  return Uint8Array.from({ length: 16 }, (_, i) => (words[i >> 2]! >>> ((i & 3) << 3)) & 0xff);
}
