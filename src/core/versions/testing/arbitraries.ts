/**
 * fast-check generators for shapes that need not come from one history: any well-formed version
 * vector or sibling set (for codecs, digests, vector laws). Small pools of node ids and timestamps
 * make equal nodes and timestamp ties common; large numbers exercise the varints.
 */
import fc from 'fast-check';
import type { NodeId } from '../../ids.js';
import { sortedVersions } from '../anonymous.js';
import type { ClockEntry } from '../entries.js';
import type { SiblingSet } from '../sibling-set.js';
import type { Version } from '../value.js';
import type { VersionVector } from '../vector.js';

export const nodeArb: fc.Arbitrary<NodeId> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('a', 'b', 'c', 'd') },
  { weight: 1, arbitrary: fc.constantFrom('node-1', '127.0.0.1:7001', 'nœud-ü', '節点') },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }) },
);

export const numberArb = (max: number): fc.Arbitrary<number> =>
  fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 6 }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max }) });

export const timestampArb: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 0, max: 3 }),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
);

/** Some versions expire (codec format 2), most do not (format 1). */
export const versionArb: fc.Arbitrary<Version> = fc.record(
  {
    data: fc.option(fc.uint8Array({ maxLength: 8 }), { freq: 5 }),
    timestampMs: timestampArb,
    expiresAtMs: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })),
  },
  { requiredKeys: ['data', 'timestampMs'] },
);

export const vectorArb: fc.Arbitrary<VersionVector> = fc
  .uniqueArray(fc.tuple(nodeArb, numberArb(Number.MAX_SAFE_INTEGER)), { selector: (p) => p[0], maxLength: 6 })
  .map((pairs) => pairs.sort((x, y) => (x[0] < y[0] ? -1 : 1)));

/** Vectors over four nodes with small counters, so that comparable pairs are common. */
export const smallVectorArb: fc.Arbitrary<VersionVector> = fc
  .tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.nat(3))
  .map((cs) => cs.flatMap((c, i) => (c > 0 ? [[['a', 'b', 'c', 'd'][i]!, c] as const] : [])));

const entryArb: fc.Arbitrary<ClockEntry> = fc
  .record({ node: nodeArb, counter: numberArb(2 ** 40), values: fc.array(versionArb, { maxLength: 3 }), timestampMs: timestampArb })
  .map((e) => ({ ...e, values: e.values.slice(0, e.counter) }));

export const siblingSetArb: fc.Arbitrary<SiblingSet> = fc
  .record({
    entries: fc.uniqueArray(entryArb, { selector: (e) => e.node, maxLength: 5 }),
    anonymous: fc.array(versionArb, { maxLength: 3 }),
  })
  .map((s) => ({ entries: s.entries.sort((x, y) => (x.node < y.node ? -1 : 1)), anonymous: sortedVersions(s.anonymous) }));
