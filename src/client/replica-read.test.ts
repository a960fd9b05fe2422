/**
 * Client-coordinated reads against scripted replicas: when the client answers a read itself, and
 * every case it must hand to a node instead.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeSiblingSet, fresh, tombstone, update, version, withContext, type SiblingSet } from '../core/versions/index.js';
import type { ClientResponse, GetResult } from '../protocol/requests.js';
import { readFromReplicas, type ReplicaReadPlan } from './replica-read.js';

const one = (text: string, at = 1): SiblingSet => update(fresh(version(Buffer.from(text), at)), undefined, 'n1', at);
const bytes = (set: SiblingSet): Uint8Array => encodeSiblingSet(set);
const copy = (set: Uint8Array | null, extra: Partial<{ primary: boolean; n: number; r: number; lww: boolean }> = {}): ClientResponse => ({
  ok: true,
  op: 'replicaRead',
  primary: true,
  set,
  n: 3,
  r: 2,
  lww: false,
  ...extra,
});

interface Script {
  readonly answers: Record<string, ClientResponse | 'unreachable'>;
  readonly plan?: Partial<ReplicaReadPlan>;
}

/** Runs a read; resolves with its result and the nodes asked, in order. */
async function run(script: Script): Promise<{ result: GetResult | null; coordinator: string | undefined; asked: string[] }> {
  const asked: string[] = [];
  const plan: ReplicaReadPlan = { primaries: ['a', 'b', 'c'], needed: 2, n: 3, explicitR: false, allPrimaries: true, ...script.plan };
  const outcome = await readFromReplicas(plan, (node) => {
    asked.push(node);
    const answer = script.answers[node];
    if (answer === undefined) throw new Error(`unexpected ask of ${node}`);
    return answer === 'unreachable' ? Promise.reject(new Error('unreachable')) : Promise.resolve(answer);
  });
  return 'agreed' in outcome ? { result: outcome.agreed, coordinator: undefined, asked } : { result: null, coordinator: outcome.coordinator, asked };
}

const texts = (r: GetResult): string[] => r.values.map((v) => Buffer.from(v.data!).toString()).sort();

test('R copies that agree answer the read here, naming the first replica asked as the fastest', async () => {
  const set = bytes(one('v1'));
  const { result, asked } = await run({ answers: { a: copy(set), b: copy(Buffer.from(set)) } });
  assert.deepEqual(asked, ['a', 'b'], 'only R replicas are asked');
  assert.ok(result !== null);
  assert.deepEqual(texts(result), ['v1']);
  assert.deepEqual(result.context, [['n1', 1]]);
  assert.equal(result.tombstone, false);
  assert.equal(result.fastestReplica, 'a');
});

test('siblings and tombstones read as the node would read them', async () => {
  const base = one('v1');
  const siblings = update(withContext([['n1', 1]], version(Buffer.from('x'), 2)), update(withContext([['n1', 1]], version(Buffer.from('y'), 2)), base, 'n2', 2), 'n3', 2);
  const both = await run({ answers: { a: copy(bytes(siblings)), b: copy(bytes(siblings)) } });
  assert.deepEqual(texts(both.result!), ['x', 'y']);
  const deleted = update(withContext([['n1', 1]], tombstone(3)), base, 'n1', 3);
  const gone = await run({ answers: { a: copy(bytes(deleted)), b: copy(bytes(deleted)) } });
  assert.deepEqual(gone.result!.values, []);
  assert.equal(gone.result!.tombstone, true);
  assert.ok(gone.result!.context.length > 0, 'a deleted key still has a context');
});

test('an lww bucket is resolved to its newest sibling', async () => {
  const older = update(withContext([], version(Buffer.from('old'), 1)), undefined, 'n1', 1);
  const both = update(withContext([], version(Buffer.from('new'), 5)), older, 'n2', 5);
  const { result } = await run({ answers: { a: copy(bytes(both), { lww: true }), b: copy(bytes(both), { lww: true }) } });
  assert.deepEqual(texts(result!), ['new']);
});

test('copies that differ, or a copy missing on one replica, go to a node (which merges and repairs)', async () => {
  assert.equal((await run({ answers: { a: copy(bytes(one('v1'))), b: copy(bytes(one('v2', 2))) } })).result, null);
  assert.equal((await run({ answers: { a: copy(bytes(one('v1'))), b: copy(null) } })).result, null);
});

test('a missing key: the other primaries are asked, and "not found" needs all of them', async () => {
  const none = await run({ answers: { a: copy(null), b: copy(null), c: copy(null) } });
  assert.deepEqual(none.asked, ['a', 'b', 'c']);
  assert.deepEqual(none.result, { ok: true, op: 'get', values: [], context: [], tombstone: false });
  const third = await run({ answers: { a: copy(null), b: copy(null), c: copy(bytes(one('v1'))) } });
  assert.equal(third.result, null, 'the third primary has it: a node reads and repairs');
  const partial = await run({ answers: { a: copy(null), b: copy(null) }, plan: { primaries: ['a', 'b'], allPrimaries: false } });
  assert.equal(partial.result, null, 'a primary left out may have a hint on a fallback');
});

test('errors, a non-primary, an unreachable replica and a bucket whose n changed or R grew go to a node', async () => {
  const set = bytes(one('v1'));
  const cases: Script['answers'][] = [
    { a: copy(set), b: { ok: false, error: 'unavailable', message: 'stopping' } },
    { a: copy(set), b: copy(null, { primary: false }) },
    { a: copy(set), b: 'unreachable' },
    { a: copy(set, { r: 3 }), b: copy(set, { r: 3 }) },
    { a: copy(set, { n: 5 }), b: copy(set, { n: 5 }) },
    { a: copy(Buffer.from([0xff, 0xff])), b: copy(Buffer.from([0xff, 0xff])) },
  ];
  for (const answers of cases) assert.equal((await run({ answers })).result, null, JSON.stringify(answers));
  const silent = await run({ answers: { a: 'unreachable', b: copy(set) } });
  assert.equal(silent.result, null);
  assert.equal(silent.coordinator, undefined, 'the read is handed over as soon as a replica fails');
  const late = await run({ answers: { a: copy(set), b: 'unreachable' } });
  assert.equal(late.coordinator, 'a', 'a replica that answered coordinates, not the one that failed');
  const refused = await run({ answers: { a: { ok: false, error: 'unavailable', message: 'stopping' }, b: copy(set) } });
  assert.equal(refused.coordinator, undefined, 'nor one that answered with an error');
  const explicit = await run({ answers: { a: copy(set, { r: 3 }), b: copy(set, { r: 3 }) }, plan: { explicitR: true } });
  assert.ok(explicit.result !== null, "a request's own r does not depend on the bucket's");
});
