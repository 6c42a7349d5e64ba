import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IdList } from '../../runtime/engine/operators';

/**
 * IN lists are answered by scanning their text in place for the first lookups, then by a Set (or, in
 * workerd, a prototype-free object's keys): each must be exactly "is the id one of the comma-separated
 * pieces" of the texts joined by commas. `lookup` names the warm lookup the suite is run against.
 */
export function idListSuite(commaList: (texts: readonly string[]) => IdList, lookup: string): void {
  describe(`comma-separated IN lists (warm: ${lookup})`, () => {
    // Ids that are prefixes, suffixes and infixes of one another, so that a scan that ignored the
    // commas around a match would be caught; and ids an object's keys could confuse with its prototype
    // or with array indexes.
    const piece = fc.constantFrom('', 'u', 'u1', 'u12', 'u123', '1', '12', 'x', 'ü', '🚀', 'u1 ', ' u1', 'org-1', 'org-12', 'g-1', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '0', '00', '-0', '42', '4294967295', '1e3', 'NaN', 'undefined');
    const texts = fc.array(fc.array(piece, { maxLength: 8 }).map((pieces) => pieces.join(',')), { minLength: 1, maxLength: 4 });
    const query = fc.oneof(piece, fc.constantFrom('u1,u12', ',', 'u1,', ',u1', 'u'));

    it('answers membership as a Set of the joined pieces does, while scanning and after', () => {
      fc.assert(
        fc.property(texts, fc.array(query, { minLength: 1, maxLength: 20 }), (lists, queries) => {
          const members = new Set(lists.join(',').split(','));
          const ids = commaList(lists);
          // 80 lookups: the first 32 scan the texts, the rest ask the Set built from them.
          for (let round = 0; round < 80; round++) {
            const id = queries[round % queries.length]!;
            const expected = !id.includes(',') && members.has(id);
            if (ids.has(id) !== expected) expect({ lists, id, round, has: ids.has(id) }).toEqual({ lists, id, round, has: expected });
          }
        }),
        { numRuns: 2000 },
      );
    });

    // Allowlists as large as Flagsmith allows (100 values of 1,000 characters): ids of one format, so
    // that strangers share their length and alphabet, plus near misses of listed ids (a character
    // changed, dropped or added, two neighbours with their comma).
    it('answers a Flagsmith-sized list as a Set of its ids does, while scanning and after', () => {
      const id = fc.stringMatching(/^[a-f0-9-]{0,12}$/);
      fc.assert(
        fc.property(fc.uniqueArray(id, { minLength: 1, maxLength: 9_000, size: 'max' }), fc.array(fc.nat(), { minLength: 40, maxLength: 120 }), (listed, picks) => {
          const texts: string[] = [];
          for (const member of listed) {
            const last = texts.length - 1;
            if (last >= 0 && texts[last]!.length + 1 + member.length <= 1000) texts[last] += `,${member}`;
            else texts.push(member);
          }
          const members = new Set(listed);
          const ids = commaList(texts);
          picks.forEach((pick, round) => {
            const member = listed[pick % listed.length]!;
            const neighbour = listed[(pick + 1) % listed.length]!;
            const queries = [member, `${member}0`, member.slice(1), member.slice(0, -1), `x${member.slice(1)}`, `${member},${neighbour}`, `stranger-${round}-${pick}`];
            const query = queries[pick % queries.length]!;
            const expected = !query.includes(',') && members.has(query);
            if (ids.has(query) !== expected) expect({ query, round, has: ids.has(query) }).toEqual({ query, round, has: expected });
          });
        }),
        { numRuns: 40, endOnFailure: true },
      );
    });
  });
}
