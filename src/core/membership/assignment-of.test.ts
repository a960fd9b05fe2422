import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignmentProblems, movedReplicas, nodesOf, preferenceList, replicaCounts } from '../ring/index.js';
import { assignmentOf, foldAssignment } from './assignment-of.js';
import type { MemberSpec } from './member.js';
import { admit, merge, newCluster, updateMember, type Membership } from './membership.js';

const spec = (id: string, weight = 1): MemberSpec => ({ id, address: `${id}:7000`, httpAddress: `http://${id}:7100`, clientAddress: null, weight });

function cluster(ids: readonly string[], partitions = 64, replicas = 3): Membership {
  let m = newCluster(spec(ids[0]!), partitions, replicas);
  for (const id of ids.slice(1)) m = admit(m, spec(id), 'up');
  return m;
}

test('3 nodes with Q=64 N=3: every node holds all 64 partitions', () => {
  const table = assignmentOf(cluster(['a', 'b', 'c']));
  assert.deepEqual(Object.fromEntries(replicaCounts(table)), { a: 64, b: 64, c: 64 });
  assert.deepEqual(assignmentProblems(table), []);
});

test('5 nodes with Q=64 N=3: each holds 192/5 ± 1', () => {
  const table = assignmentOf(cluster(['a', 'b', 'c', 'd', 'e']));
  for (const [node, count] of replicaCounts(table)) assert.ok(Math.abs(count - 192 / 5) <= 1, `${node}: ${count}`);
  for (let p = 0; p < 64; p++) assert.deepEqual([...preferenceList(table, p)].sort(), ['a', 'b', 'c', 'd', 'e']);
});

test('a leave excludes the leaver and moves only its partitions', () => {
  const m = cluster(['a', 'b', 'c', 'd', 'e']);
  const before = assignmentOf(m);
  const leaving = updateMember(m, 'c', { state: 'leaving' });
  const after = assignmentOf(leaving);
  assert.deepEqual(nodesOf(after), ['a', 'b', 'd', 'e']);
  assert.equal(movedReplicas(before, after), replicaCounts(before).get('c'));
  assert.deepEqual(assignmentOf(updateMember(leaving, 'c', { state: 'left' })), after);
  // Cancelling the leave gives back exactly the table before it.
  assert.deepEqual(assignmentOf(updateMember(leaving, 'c', { state: 'up' })), before);
});

test('a joining member already holds its share; a join moves only what the newcomer takes', () => {
  const m = cluster(['a', 'b', 'c', 'd']);
  const joined = admit(m, spec('e'), 'joining');
  const table = assignmentOf(joined);
  assert.ok(replicaCounts(table).get('e')! >= 38);
  assert.equal(movedReplicas(assignmentOf(m), table), replicaCounts(table).get('e'));
});

test('concurrent admits at one epoch fold in id order, the same on every copy', () => {
  const base = cluster(['a', 'b', 'c', 'd']);
  const x = admit(base, spec('y'), 'up');
  const y = admit(base, spec('x'), 'up');
  const one = merge(x, y);
  const other = merge(y, x);
  assert.deepEqual(assignmentOf(one), assignmentOf(other));
  assert.deepEqual(nodesOf(assignmentOf(one)), ['a', 'b', 'c', 'd', 'x', 'y']);
});

test('weights shape the shares', () => {
  let m = newCluster(spec('a', 2), 128, 3);
  for (const id of ['b', 'c', 'd', 'e']) m = admit(m, spec(id, id === 'e' ? 2 : 1), 'up');
  const counts = replicaCounts(assignmentOf(m));
  // Σw = 7: weight 2 ⇒ 384·2/7 ≈ 109.7, weight 1 ⇒ ≈ 54.9
  assert.deepEqual([counts.get('a'), counts.get('e')].map((c) => Math.round(c! / 10)), [11, 11]);
  assert.ok(Math.abs(counts.get('b')! - 384 / 7) < 1);
});

test('memoized: equal content gives the very same table; addresses do not matter', () => {
  const m = cluster(['a', 'b', 'c', 'd']);
  const copy: Membership = { ...m, members: m.members.map((x) => ({ ...x })) };
  assert.equal(assignmentOf(copy), assignmentOf(m));
  const moved = updateMember(m, 'b', { address: 'elsewhere:1' });
  assert.equal(assignmentOf(moved), assignmentOf(m));
});

test('more members than Q·N slots: the extra admissions are skipped, not fatal', () => {
  const m = cluster(['a', 'b', 'c', 'd', 'e'], 2, 2);
  const table = foldAssignment(m.partitions, m.replicas, m.members);
  assert.deepEqual(nodesOf(table), ['a', 'b', 'c', 'd']);
  assert.deepEqual(assignmentProblems(table), []);
});
