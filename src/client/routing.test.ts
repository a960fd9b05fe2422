/** The client's routing: its key hash agrees with the nodes', and requests go to primaries first. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRing, Routing, type RingSnapshot } from './routing.js';

const ring: RingSnapshot = {
  partitions: 4,
  replicas: 3,
  owners: [['a', 'b', 'c'], ['b', 'c', 'd'], ['c', 'd', 'a'], ['d', 'a', 'b']],
  members: ['a', 'b', 'c', 'd'].map((id, i) => ({ id, httpAddress: `h:${i}`, clientAddress: id === 'd' ? null : `c:${i}`, up: true })),
  version: 'v1',
};

test('parseRing accepts a ring and names what is wrong with a bad one', () => {
  assert.equal(typeof parseRing(ring), 'object');
  assert.match(parseRing({ ...ring, owners: [] }) as string, /owners/);
  assert.match(parseRing(null) as string, /object/);
});

test('pick: preferred first, then the key\'s first n replicas in rotation, then anyone, skipping the unusable', () => {
  const routing = new Routing(ring);
  const all = () => true;
  for (let i = 0; i < 50; i++) {
    const key = `k${i}`;
    const owners = routing.preferenceList('b', key);
    const first = routing.pick('b', key, 2, undefined, all, null)!;
    assert.ok(owners.slice(0, 2).includes(first) || (first !== 'd' && !owners.slice(0, 2).some((o) => o !== 'd')), `${first} is a primary of ${key}`);
    assert.equal(routing.pick('b', key, 2, 'c', all, null), 'c');
    assert.notEqual(routing.pick('b', key, 3, undefined, all, null), 'd', 'a member without a client port is never picked');
    const left = routing.pick('b', key, 3, undefined, (id) => id === 'a', null);
    assert.equal(left, 'a');
    assert.equal(routing.pick('b', key, 3, undefined, all, new Set(['a', 'b', 'c'])), undefined);
  }
});

test('usablePrimaries: the key\'s first n replicas the client can use, rotating, and whether that is all of them', () => {
  const routing = new Routing(ring);
  const starts = new Set<string>();
  for (let i = 0; i < 60; i++) {
    const key = `k${i}`;
    const owners = routing.preferenceList('b', key).slice(0, 2);
    const { nodes, all } = routing.usablePrimaries('b', key, 2, () => true);
    assert.deepEqual([...nodes].sort(), owners.filter((o) => o !== 'd').sort(), 'the primaries that have a client port');
    assert.equal(all, !owners.includes('d'));
    starts.add(nodes[0]!);
    const withoutA = routing.usablePrimaries('b', key, 2, (id) => id !== 'a');
    assert.ok(!withoutA.nodes.includes('a'));
    if (owners.includes('a')) assert.equal(withoutA.all, false);
  }
  assert.ok(starts.size > 2, 'the first node asked rotates');
});
