import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSetCart, type SetKeyState, type SetOperation } from './set-cart.js';
import type { KeyState } from './snapshot.js';

const copy = { context: [], siblings: [{ data: Buffer.from('s'), timestampMs: 1 }] };

function final(elements: Record<string, string[] | null>, same = true): SetKeyState {
  const primaries = Object.keys(elements);
  const state: KeyState = {
    bucket: 'cart', key: 'k0', conflict: 'siblings', primaries,
    copies: new Map(primaries.map((n, i) => [n, same || i === 0 ? copy : { ...copy, siblings: [] }])),
  };
  return { state, elements: new Map(Object.entries(elements)) };
}

const add = (element: string, outcome: 'ok' | 'failed' | 'unknown' = 'ok', completedMs = 1): SetOperation => ({ kind: 'add', bucket: 'cart', key: 'k0', element, outcome, invokedMs: 1, completedMs });
const remove = (elements: string[], outcome: 'ok' | 'failed' | 'unknown' = 'ok'): SetOperation => ({ kind: 'remove', bucket: 'cart', key: 'k0', elements, outcome, invokedMs: 3, readInvokedMs: 2 });

test('a run that kept every add and honoured every remove passes', () => {
  const r = checkSetCart([add('a'), add('b'), remove(['b']), add('c', 'failed')], [final({ n1: ['a'], n2: ['a'], n3: ['a'] })]);
  assert.deepEqual(r.violations, []);
  assert.equal(r.counts.acknowledgedItems, 2);
});

test('an acknowledged add missing everywhere is lost, unless some remove (even unanswered) read it', () => {
  const lost = checkSetCart([add('a'), add('b')], [final({ n1: ['b'], n2: ['b'], n3: ['b'] })]);
  assert.deepEqual(lost.violations.map((v) => v.kind), ['lost']);
  assert.equal(lost.counts.lost, 1);
  const excused = checkSetCart([add('a'), remove(['a'], 'unknown')], [final({ n1: [], n2: [], n3: [] })]);
  assert.deepEqual(excused.violations, []);
});

test('an element whose remove was acknowledged and is still on a primary is resurrected', () => {
  const r = checkSetCart([add('a'), remove(['a'])], [final({ n1: [], n2: ['a'], n3: [] })]);
  assert.ok(r.violations.some((v) => v.kind === 'resurrected'));
  assert.equal(r.counts.resurrected, 1);
});

test('an add still unanswered when the remove read began may apply again after it: not a resurrection', () => {
  const r = checkSetCart([add('a', 'ok', 5), remove(['a'])], [final({ n1: ['a'], n2: ['a'], n3: ['a'] })]);
  assert.deepEqual(r.violations, []);
});

test('primaries that differ in elements or in state are unconverged; a read with siblings is flagged', () => {
  assert.equal(checkSetCart([], [final({ n1: ['a'], n2: [], n3: ['a'] })]).counts.unconvergedKeys, 1);
  assert.equal(checkSetCart([], [final({ n1: ['a'], n2: ['a'], n3: ['a'] }, false)]).counts.unconvergedKeys, 1);
  const read: SetOperation = { kind: 'read', bucket: 'cart', key: 'k0', outcome: 'ok', invokedMs: 3, node: 'n1', merged: false };
  assert.equal(checkSetCart([read], [final({ n1: [], n2: [], n3: [] })]).ok, false);
});
