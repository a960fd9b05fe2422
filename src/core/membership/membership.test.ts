import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MemberSpec } from './member.js';
import { activeMembers, admit, digest, getMember, maxEpoch, membershipProblems, merge, newCluster, updateMember } from './membership.js';

const spec = (id: string, port = 7000, weight = 1): MemberSpec => ({ id, address: `127.0.0.1:${port}`, httpAddress: `http://127.0.0.1:${port + 100}`, clientAddress: null, weight });

test('a new cluster holds its founder, up, at epoch 0, version 1', () => {
  const m = newCluster(spec('a'), 64, 3);
  assert.deepEqual(m, { partitions: 64, replicas: 3, members: [{ ...spec('a'), state: 'up', joinedEpoch: 0, leftEpoch: null, version: 1 }] });
  assert.throws(() => newCluster(spec('a'), 48, 3), /power of two/);
  assert.throws(() => newCluster(spec('a', 1, 0), 64, 3), /weight/);
});

test('admit: fresh epochs in order, members kept sorted, a repeat changes nothing', () => {
  let m = newCluster(spec('m'), 64, 3);
  m = admit(m, spec('z'), 'joining');
  m = admit(m, spec('b'), 'up');
  assert.deepEqual(m.members.map((x) => [x.id, x.joinedEpoch, x.state, x.version]), [
    ['b', 2, 'up', 1],
    ['m', 0, 'up', 1],
    ['z', 1, 'joining', 1],
  ]);
  assert.equal(admit(m, spec('b'), 'joining'), m, 'same spec: the very same value');
  const moved = admit(m, spec('b', 7005), 'up');
  assert.equal(getMember(moved, 'b')!.address, '127.0.0.1:7005');
  assert.equal(getMember(moved, 'b')!.version, 2);
  assert.equal(getMember(moved, 'b')!.joinedEpoch, 2, 'a refresh is not a new admission');
  assert.equal(admit(m, spec('b', 7000, 2), 'up'), m, 'a member present keeps the weight it was admitted with');
  const wipedBack = admit(m, spec('b', 7009, 5), 'joining');
  assert.deepEqual([getMember(wipedBack, 'b')!.weight, getMember(wipedBack, 'b')!.address], [1, '127.0.0.1:7009'], 'a new address is taken, a new weight is not');
  assert.deepEqual(membershipProblems(m), []);
});

test('updateMember: leaving stamps a fresh leftEpoch; no change returns the same value', () => {
  let m = admit(admit(newCluster(spec('a'), 64, 3), spec('b'), 'up'), spec('c'), 'up');
  assert.equal(updateMember(m, 'b', { state: 'up' }), m);
  assert.equal(updateMember(m, 'b', { address: getMember(m, 'b')!.address }), m);
  m = updateMember(m, 'b', { state: 'leaving' });
  const b = getMember(m, 'b')!;
  assert.deepEqual([b.state, b.leftEpoch, b.version], ['leaving', 3, 2]);
  m = updateMember(m, 'b', { state: 'left' });
  assert.deepEqual([getMember(m, 'b')!.leftEpoch, getMember(m, 'b')!.version], [3, 3]);
  assert.deepEqual(activeMembers(m).map((x) => x.id), ['a', 'c']);
  assert.equal(maxEpoch(m), 3);
  assert.deepEqual(membershipProblems(m), []);
  assert.throws(() => updateMember(m, 'nobody', { state: 'up' }), /no member/);
});

test('a leave can be cancelled; a node that left comes back with a fresh epoch', () => {
  let m = admit(newCluster(spec('a'), 64, 3), spec('b'), 'up');
  const leaving = updateMember(m, 'b', { state: 'leaving' });
  const back = updateMember(leaving, 'b', { state: 'up' });
  assert.deepEqual([getMember(back, 'b')!.leftEpoch, getMember(back, 'b')!.joinedEpoch], [null, 1]);
  m = updateMember(leaving, 'b', { state: 'left' });
  const readmitted = admit(m, spec('b', 7000, 4), 'joining');
  const b = getMember(readmitted, 'b')!;
  assert.equal(b.weight, 4, 'a node that left is admitted anew, with the weight it asks for');
  assert.deepEqual([b.state, b.joinedEpoch, b.leftEpoch, b.version], ['joining', 3, null, 4]);
  const revived = updateMember(m, 'b', { state: 'up' });
  assert.deepEqual([getMember(revived, 'b')!.joinedEpoch, getMember(revived, 'b')!.leftEpoch], [3, null]);
});

test('two concurrent admits on different copies merge to a membership with both', () => {
  const base = newCluster(spec('a'), 64, 3);
  const left = admit(base, spec('b'), 'up');
  const right = admit(base, spec('c'), 'up');
  const merged = merge(left, right);
  assert.deepEqual(merged.members.map((x) => [x.id, x.joinedEpoch]), [
    ['a', 0],
    ['b', 1],
    ['c', 1],
  ]);
  assert.equal(digest(merged), digest(merge(right, left)));
  assert.equal(merge(merged, left), merged, 'nothing new: the same value');
  assert.equal(merge(merged, merged), merged);
});

test('equal versions with different content: the later state wins, then the canonical content', () => {
  const base = admit(newCluster(spec('a'), 64, 3), spec('b'), 'up');
  const leaving = updateMember(base, 'b', { state: 'leaving' });
  const moved = updateMember(base, 'b', { address: '10.0.0.9:7000' });
  assert.equal(getMember(leaving, 'b')!.version, getMember(moved, 'b')!.version);
  assert.equal(getMember(merge(leaving, moved), 'b')!.state, 'leaving');
  assert.equal(getMember(merge(moved, leaving), 'b')!.state, 'leaving');
  const x = updateMember(base, 'b', { address: '10.0.0.1:1' });
  const y = updateMember(base, 'b', { address: '10.0.0.2:1' });
  assert.equal(digest(merge(x, y)), digest(merge(y, x)));
});

test('merge refuses memberships of different rings', () => {
  assert.throws(() => merge(newCluster(spec('a'), 64, 3), newCluster(spec('b'), 128, 3)), /different rings/);
  assert.throws(() => merge(newCluster(spec('a'), 64, 3), newCluster(spec('b'), 64, 2)), /different rings/);
});

test('digest is equal exactly when content is equal, and ignores extra properties', () => {
  const m = admit(newCluster(spec('a'), 64, 3), spec('b'), 'up');
  const same = { partitions: 64, replicas: 3, members: m.members.map((x) => ({ ...x })) };
  assert.equal(digest(same), digest(m));
  assert.match(digest(m), /^[0-9a-f]{64}$/);
  const extra = { ...same, members: same.members.map((x) => ({ ...x, note: 'ignored' })) };
  assert.equal(digest(extra), digest(m));
  const variants = [
    updateMember(m, 'b', { state: 'joining' }),
    updateMember(m, 'b', { clientAddress: '127.0.0.1:7201' }),
    updateMember(m, 'b', { httpAddress: 'http://x:1' }),
    { ...m, members: m.members.map((x) => (x.id === 'b' ? { ...x, weight: 3 } : x)) },
    { ...m, partitions: 128 },
    { ...m, replicas: 2 },
  ];
  const digests = new Set([digest(m), ...variants.map(digest)]);
  assert.equal(digests.size, variants.length + 1);
});
