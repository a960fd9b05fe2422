import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assignmentProblems, nodesOf } from '../ring/index.js';
import { assignmentOf } from './assignment-of.js';
import type { MemberState } from './member.js';
import { admit, digest, getMember, merge, newCluster, updateMember, type Membership } from './membership.js';

type Op =
  | { t: 'admit'; at: number; id: string; port: number; weight: number; state: 'joining' | 'up' }
  | { t: 'update'; at: number; id: string; state: MemberState | undefined; port: number | undefined }
  | { t: 'sync'; from: number; to: number };

const ids = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('admit' as const), at: fc.nat(), id: ids, port: fc.integer({ min: 0, max: 2 }), weight: fc.constantFrom(1, 2), state: fc.constantFrom('joining' as const, 'up' as const) }),
  fc.record({ t: fc.constant('update' as const), at: fc.nat(), id: ids, state: fc.option(fc.constantFrom<MemberState>('joining', 'up', 'leaving', 'left'), { nil: undefined }), port: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }) }),
  fc.record({ t: fc.constant('sync' as const), from: fc.nat(), to: fc.nat() }),
);

/** Random operations applied to random copies (replicas) of one cluster, with occasional gossip. */
const copiesArb: fc.Arbitrary<Membership[]> = fc
  .record({ copies: fc.integer({ min: 2, max: 4 }), ops: fc.array(opArb, { maxLength: 40 }) })
  .map(({ copies, ops }) => {
    const state = Array.from({ length: copies }, () => newCluster({ id: 'a', address: 'h:0', httpAddress: 'h:100', clientAddress: null, weight: 1 }, 32, 3));
    for (const op of ops) {
      if (op.t === 'sync') {
        state[op.to % copies] = merge(state[op.to % copies]!, state[op.from % copies]!);
      } else if (op.t === 'admit') {
        const spec = { id: op.id, address: `h:${op.port}`, httpAddress: `h:${op.port + 100}`, clientAddress: null, weight: op.weight };
        state[op.at % copies] = admit(state[op.at % copies]!, spec, op.state);
      } else if (getMember(state[op.at % copies]!, op.id) !== undefined) {
        const change = { ...(op.state && { state: op.state }), ...(op.port !== undefined && { address: `h:${op.port}` }) };
        state[op.at % copies] = updateMember(state[op.at % copies]!, op.id, change);
      }
    }
    return state;
  });

const three = copiesArb.chain((copies) => fc.tuple(fc.constantFrom(...copies), fc.constantFrom(...copies), fc.constantFrom(...copies)));

test('merge is commutative', () => {
  fc.assert(fc.property(three, ([a, b]) => digest(merge(a, b)) === digest(merge(b, a))), { numRuns: 300 });
});

test('merge is associative', () => {
  fc.assert(fc.property(three, ([a, b, c]) => digest(merge(merge(a, b), c)) === digest(merge(a, merge(b, c)))), { numRuns: 300 });
});

test('merge is idempotent, and merging what is already known returns the same value', () => {
  fc.assert(
    fc.property(three, ([a, b]) => {
      assert.equal(digest(merge(a, a)), digest(a));
      const ab = merge(a, b);
      assert.equal(merge(ab, b), ab);
      assert.equal(merge(ab, a), ab);
    }),
    { numRuns: 300 },
  );
});

test('the same updates merged in any order converge to one digest and one assignment', () => {
  const arb = copiesArb.chain((copies) => fc.tuple(fc.constant(copies), fc.shuffledSubarray(copies, { minLength: copies.length, maxLength: copies.length })));
  fc.assert(
    fc.property(arb, ([copies, shuffled]) => {
      const one = copies.reduce(merge);
      const other = shuffled.reduceRight(merge);
      assert.equal(digest(one), digest(other));
      assert.deepEqual(assignmentOf(other), assignmentOf(one));
      const table = assignmentOf(one);
      assert.deepEqual(assignmentProblems(table), []);
      const holders = one.members.filter((m) => m.state !== 'leaving' && m.state !== 'left').map((m) => m.id);
      assert.deepEqual(nodesOf(table), holders);
    }),
    { numRuns: 200 },
  );
});
