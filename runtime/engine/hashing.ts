// The MD5 class itself rather than noble's `md5` wrapper: the wrapper's generic option checks
// (createHasher) are dead weight in every Worker bundle, and only the streaming API is used here.
import { _MD5 } from '@noble/hashes/legacy.js';

// Flagsmith buckets with MD5 over "<id>,<id>" taken modulo 9999. Allocating a fresh hasher, input
// buffer and digest per call costs more than the compression itself, so one hasher is reset from a
// pristine copy before every use. This is scratch space, not state: each use fully overwrites it,
// evaluation is synchronous and no caller code runs in between, so nothing can leak across calls.
const PRISTINE = new _MD5();
const scratch = new _MD5();
const digest = new Uint8Array(16);
const input = new Uint8Array(512);
// Views of the first n bytes of `input` for n < 64, made once: most hash inputs ("<id>,<key>") are
// that short, and a fresh subarray per hash is measurable garbage on the hot path.
const SHORT_VIEWS = Array.from({ length: 64 }, (_, n) => input.subarray(0, n));
const encoder = new TextEncoder();

function md5Bucket(text: string): number {
  let bytes: Uint8Array;
  const length = text.length;
  if (length <= input.length) {
    let ascii = true;
    for (let i = 0; i < length; i++) {
      const code = text.charCodeAt(i);
      if (code > 0x7f) {
        ascii = false;
        break;
      }
      input[i] = code;
    }
    if (ascii) bytes = length < 64 ? SHORT_VIEWS[length]! : input.subarray(0, length);
    else if (length * 3 <= input.length) bytes = input.subarray(0, encoder.encodeInto(text, input).written);
    else bytes = encoder.encode(text);
  } else {
    bytes = encoder.encode(text);
  }
  PRISTINE._cloneInto(scratch);
  // Fed in pieces shorter than a block, every block is compressed from the hasher's own buffer:
  // one DataView shape, so the compression function stays monomorphic and fast.
  if (bytes.length < 64) scratch.update(bytes);
  else for (let offset = 0; offset < bytes.length; offset += 63) scratch.update(bytes.subarray(offset, offset + 63));
  scratch.digestInto(digest);
  // The digest read as one big-endian 128-bit integer, reduced modulo 9999 byte by byte: the same
  // residue as Flagsmith's BigInt arithmetic without allocating a BigInt.
  let residue = 0;
  for (let i = 0; i < 16; i++) residue = (residue * 256 + digest[i]!) % 9999;
  return (residue / 9998) * 100;
}

/**
 * Flagsmith's hashed percentage of a list of ids: MD5 of the ids joined by commas, as a number in
 * [0, 100). The same ids always give the same number, in every Flagsmith SDK.
 *
 * Segment percentage splits use `[segmentKey, identityKey]` (match when the result is <= the split
 * value); multivariate values use `[featureStateKey, identityKey]`.
 *
 * @example
 * ```ts
 * import { percentageBucket } from 'flagstage/engine';
 * const bucket = percentageBucket(['42', 'ser.abc_user-1']); // e.g. 37.91
 * const inTwentyPercent = bucket <= 20;
 * ```
 */
export function percentageBucket(parts: readonly string[]): number {
  for (let repeats = 1; ; repeats++) {
    const ids: string[] = [];
    for (let i = 0; i < repeats; i++) ids.push(...parts);
    const value = md5Bucket(ids.join(','));
    // A residue of 9998 maps to exactly 100, outside [0, 100): Flagsmith rehashes with the ids
    // repeated once more.
    if (value !== 100) return value;
  }
}

/** `percentageBucket([first, second])` without building the array on the hot path. */
export function pairBucket(first: string, second: string): number {
  const value = md5Bucket(first + ',' + second);
  return value !== 100 ? value : percentageBucket([first, second]);
}
