import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { emptyAssignment, firstCounts, movedReplicas, replicaCounts, type Assignment } from './assignment.js';
import { claimNode, maxNodes, releaseNode } from './claim.js';
import { preferenceList } from './preference.js';
import { assertWellFormed, referenceShares, worstDeviation } from './testing/tables.js';

type Op = { kind: 'join'; weight: number } | { kind: 'leave'; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('join' as const), weight: fc.constantFrom(0.25, 0.5, 1, 1, 1, 2, 3, 7, 40) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('leave' as const), pick: fc.nat() }) },
);

const scenarioArb = fc.record({
  partitions: fc.constantFrom(1, 2, 8, 16, 32, 64, 128),
  replicas: fc.integer({ min: 1, max: 4 }),
  ops: fc.array(opArb, { minLength: 1, maxLength: 50 }),
});

interface Step {
  before: Assignment;
  after: Assignment;
  op: 'join' | 'leave';
  node: string;
  weights: Map<string, number>;
}

function run(s: { partitions: number; replicas: number; ops: Op[] }): Step[] {
  const steps: Step[] = [];
  const weights = new Map<string, number>();
  let table = emptyAssignment(s.partitions, s.replicas);
  s.ops.forEach((op, k) => {
    const before = table;
    if (op.kind === 'join') {
      if (weights.size >= maxNodes(s.partitions, s.replicas)) return;
      const node = `n${String(k).padStart(2, '0')}`;
      weights.set(node, op.weight);
      table = claimNode(table, node, weights);
      steps.push({ before, after: table, op: 'join', node, weights: new Map(weights) });
    } else {
      if (weights.size === 0) return;
      const node = [...weights.keys()].sort()[op.pick % weights.size]!;
      weights.delete(node);
      table = releaseNode(table, node, weights);
      steps.push({ before, after: table, op: 'leave', node, weights: new Map(weights) });
    }
  });
  return steps;
}

test('random joins and leaves keep lists distinct and full and every node within one slot of its fair share (1 + k with k nodes lifted to one slot)', () => {
  fc.assert(
    fc.property(scenarioArb, (s) => {
      for (const step of run(s)) {
        assertWellFormed(step.after, [...step.weights.keys()], false);
        if (step.weights.size === 0) continue;
        // The bound: |slots − Q·N·w/Σw (capped at Q)| < 1. The one exception is the at-least-one
        // rule: each node whose share is below one slot is lifted to one, paid by the nodes furthest
        // above their shares, so with k such nodes the bound is < 1 + k.
        const shares = referenceShares([...step.weights.keys()], step.weights, s.partitions, s.replicas);
        const lifted = [...shares.values()].filter((share) => share < 1).length;
        assert.ok(worstDeviation(step.after, step.weights) < 1 + lifted, `deviation ${worstDeviation(step.after, step.weights)}`);
      }
    }),
    { numRuns: 150 },
  );
});

test('random joins and leaves: preference lists are permutations with the owners first', () => {
  fc.assert(
    fc.property(scenarioArb, (s) => {
      const steps = run(s);
      if (steps.length === 0) return;
      const last = steps[steps.length - 1]!.after;
      const nodes = [...replicaCounts(last).keys()].sort();
      for (let p = 0; p < last.partitions; p++) {
        const list = preferenceList(last, p);
        assert.deepEqual(list.slice(0, last.owners[p]!.length), last.owners[p]);
        assert.deepEqual([...list].sort(), nodes);
      }
    }),
    { numRuns: 100 },
  );
});

test('random joins and leaves move little beyond the minimum and replay identically', () => {
  let extraMax = 0;
  fc.assert(
    fc.property(scenarioArb, (s) => {
      const steps = run(s);
      assert.deepEqual(run(s).map((x) => x.after), steps.map((x) => x.after));
      for (const step of steps) {
        const moved = movedReplicas(step.before, step.after);
        // A join must at least fill the newcomer's slots; a leave must at least refill the leaver's.
        const minimum = step.op === 'join' ? replicaCounts(step.after).get(step.node)! : replicaCounts(step.before).get(step.node)! * (step.weights.size >= s.replicas ? 1 : 0);
        assert.ok(moved >= minimum);
        extraMax = Math.max(extraMax, moved - minimum);
        assert.ok(moved - minimum <= 0.1 * s.partitions * s.replicas + 2, `moved ${moved}, minimum ${minimum}`);
      }
      const last = steps.at(-1)?.after;
      if (last !== undefined && replicaCounts(last).size > s.replicas) {
        const firsts = firstCounts(last);
        assert.equal([...firsts.values()].reduce((a, b) => a + b, 0), s.partitions);
      }
    }),
    { numRuns: 150 },
  );
  console.log(`largest move beyond the minimum in a step: ${extraMax}`);
});
