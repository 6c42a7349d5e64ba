/**
 * A small seeded PRNG (mulberry32): reproducible "random" inputs for fuzz and distribution tests,
 * the same sequence in Node and in workerd.
 *
 * @example
 * ```ts
 * const random = prng(42);
 * random(); // a number in [0, 1), the same on every run
 * ```
 */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
