/**
 * The join laws of both CRDTs (commutative, associative, idempotent) on states reached by real
 * histories: three replicas apply random adds, removes (with their own or another replica's
 * context, so that deferred removes happen) and merges; plus the set's semantics against a
 * simple reference (add wins over a concurrent remove, a seen element removed stays removed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { counterValue, increment, joinCounters, type PnCounter } from './pn-counter.js';
import { applyUpdate, EMPTY_SET, joinSets, setValue, type OrSet } from './orswot.js';
import { decodeCrdt, encodeCrdt } from './codec.js';

type Op =
  | { kind: 'add'; at: number; element: string }
  | { kind: 'remove'; at: number; element: string; contextOf: number }
  | { kind: 'merge'; into: number; from: number };

const element = fc.constantFrom('a', 'b', 'c', 'd');
const replica = fc.integer({ min: 0, max: 2 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), at: replica, element }),
  fc.record({ kind: fc.constant('remove' as const), at: replica, element, contextOf: replica }),
  fc.record({ kind: fc.constant('merge' as const), into: replica, from: replica }),
);

function runSets(ops: readonly Op[]): OrSet[] {
  const states: OrSet[] = [EMPTY_SET, EMPTY_SET, EMPTY_SET];
  const counters = [0, 0, 0];
  for (const op of ops) {
    if (op.kind === 'merge') {
      states[op.into] = joinSets(states[op.into]!, states[op.from]!);
      continue;
    }
    const dot = [`r${op.at}`, ++counters[op.at]!] as const;
    const s = states[op.at]!;
    if (op.kind === 'add') states[op.at] = applyUpdate(s, dot, [op.element], [], s.clock);
    else states[op.at] = applyUpdate(s, dot, [], [op.element], states[op.contextOf]!.clock);
  }
  return states;
}

const canon = (s: OrSet): string => JSON.stringify(s);

test('ORSWOT join is commutative, associative and idempotent on states of real histories', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 30 }), (ops) => {
      const [a, b, c] = runSets(ops) as [OrSet, OrSet, OrSet];
      assert.equal(canon(joinSets(a, b)), canon(joinSets(b, a)));
      assert.equal(canon(joinSets(joinSets(a, b), c)), canon(joinSets(a, joinSets(b, c))));
      assert.equal(canon(joinSets(a, a)), canon(joinSets(a, EMPTY_SET)));
      assert.deepEqual(setValue(joinSets(a, a)), setValue(a));
    }),
    { numRuns: 1000 },
  );
});

test('ORSWOT: an add concurrent with a remove survives; a remove of what was seen sticks', () => {
  const r0 = applyUpdate(EMPTY_SET, ['r0', 1], ['x'], [], []);
  // r1 saw r0's add and removes x; r0 concurrently adds x again.
  const r1 = applyUpdate(r0, ['r1', 1], [], ['x'], r0.clock);
  const r0again = applyUpdate(r0, ['r0', 2], ['x'], [], r0.clock);
  assert.deepEqual(setValue(joinSets(r1, r0again)), ['x']);
  // Without the concurrent add, the remove wins wherever the states meet.
  assert.deepEqual(setValue(joinSets(r1, r0)), []);
  assert.deepEqual(setValue(joinSets(r0, joinSets(r0, r1))), []);
});

test('ORSWOT: a remove whose context is ahead of the replica is deferred, then applied when the element arrives', () => {
  const ahead = applyUpdate(EMPTY_SET, ['r0', 1], ['x'], [], []);
  // r2 has not seen x, but removes it with the context of a read from r0.
  const lagging = applyUpdate(EMPTY_SET, ['r2', 1], [], ['x'], ahead.clock);
  assert.equal(lagging.deferred.length, 1);
  const met = joinSets(lagging, ahead);
  assert.deepEqual(setValue(met), []);
  assert.equal(met.deferred.length, 0, 'the clock now covers the remove context');
});

test('PN-counter join is commutative, associative and idempotent, and sums every actor increment', () => {
  const incs = fc.array(fc.tuple(replica, fc.integer({ min: -5, max: 5 }).filter((n) => n !== 0), fc.boolean()), { maxLength: 30 });
  fc.assert(
    fc.property(incs, (steps) => {
      const states: PnCounter[] = [[], [], []];
      let total = 0;
      for (const [at, delta, mergeNext] of steps) {
        states[at] = increment(states[at]!, `r${at}`, delta);
        total += delta;
        if (mergeNext) states[(at + 1) % 3] = joinCounters(states[(at + 1) % 3]!, states[at]!);
      }
      const [a, b, c] = states as [PnCounter, PnCounter, PnCounter];
      assert.deepEqual(joinCounters(a, b), joinCounters(b, a));
      assert.deepEqual(joinCounters(joinCounters(a, b), c), joinCounters(a, joinCounters(b, c)));
      assert.deepEqual(joinCounters(a, a), a);
      assert.equal(counterValue(joinCounters(joinCounters(a, b), c)), total, 'no increment lost once all states meet');
    }),
    { numRuns: 1000 },
  );
});

test('the codec round-trips both types and rejects a wrong type or shape', () => {
  const s = applyUpdate(EMPTY_SET, ['r0', 1], ['x', 'y'], [], []);
  const back = decodeCrdt('set', encodeCrdt({ type: 'set', set: s }));
  assert.ok(back.ok && back.state.type === 'set');
  assert.deepEqual(setValue(back.state.set), ['x', 'y']);
  const counter = encodeCrdt({ type: 'counter', counter: increment([], 'a', 3) });
  assert.equal(decodeCrdt('set', counter).ok, false);
  assert.equal(decodeCrdt('counter', Buffer.from('c[["a",-1,0]]')).ok, false);
  assert.equal(decodeCrdt('counter', Buffer.from('c[["b",1,0],["a",1,0]]')).ok, false);
  assert.equal(decodeCrdt('set', Buffer.from('s{"clock":[],"entries":[["x",[]]],"deferred":[]}')).ok, false);
});
