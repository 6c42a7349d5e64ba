import { describe, expect, it } from 'vitest';
import { md5Residue, md5Words, md5Start } from '../../runtime/engine/md5';
import { digestBytes, md5Inputs } from './md5-inputs';

// The engine's MD5 inside workerd (no nodejs_compat), on a sample of the Node test's inputs, against
// workerd's own MD5 (crypto.subtle.digest('MD5'), a non-standard algorithm workerd implements) over
// TextEncoder's UTF-8, which encodes lone surrogates as U+FFFD just as the engine does.
describe('md5 in workerd', () => {
  it("equals crypto.subtle's MD5 on 20,000 random strings, whole and in parts", async () => {
    const next = md5Inputs(2026);
    const encoder = new TextEncoder();
    const hex = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
    const mismatches: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const text = next();
      const expected = new Uint8Array(await crypto.subtle.digest('MD5', encoder.encode(text)));
      if (hex(digestBytes(md5Words(text))) !== hex(expected)) mismatches.push(JSON.stringify(text));
      // The bucket reduction without BigInt, against BigInt on workerd's digest.
      if (md5Residue(text) !== Number(BigInt(`0x${hex(expected)}`) % 9999n)) mismatches.push(`modulo: ${JSON.stringify(text)}`);
      // Hashed as a start encoded once and a text ("<id>,<api key>_" and "<identifier>"), cut anywhere.
      const cut = i % (text.length + 1);
      const cut2 = cut + ((i >> 2) % (text.length - cut + 1));
      const [a, b, c] = [text.slice(0, cut), text.slice(cut, cut2), text.slice(cut2)];
      const joined = new Uint8Array(await crypto.subtle.digest('MD5', encoder.encode(`${a},${b}_${c}`)));
      const words = md5Words(c, md5Start(`${a},${b}_`));
      if (hex(digestBytes(words)) !== hex(joined)) mismatches.push(`parts: ${JSON.stringify([a, b, c])}`);
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
  });
});
