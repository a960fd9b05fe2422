import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { liveUser, MAX_USERS, mergeUserTables, parseUserTable, usersDigest, type UserEntry, type UserTable } from './table.js';

const entry: fc.Arbitrary<UserEntry> = fc.record({
  role: fc.constantFrom('read' as const, 'readwrite' as const, 'admin' as const),
  buckets: fc.option(fc.array(fc.constantFrom('b1', 'b2'), { maxLength: 2 }), { nil: null }),
  hash: fc.constantFrom('scrypt$h1', 'scrypt$h2'),
  deleted: fc.boolean(),
  updatedAtMs: fc.integer({ min: 0, max: 4 }),
  updatedBy: fc.constantFrom('n1', 'n2', 'n3'),
});
const table: fc.Arbitrary<UserTable> = fc.dictionary(fc.constantFrom('alice', 'bob', 'root'), entry);
const same = (a: UserTable, b: UserTable): boolean => usersDigest(a) === usersDigest(b);

test('users table merge is commutative, associative and idempotent', () => {
  fc.assert(
    fc.property(table, table, table, (a, b, c) => {
      assert.ok(same(mergeUserTables(a, b), mergeUserTables(b, a)));
      assert.ok(same(mergeUserTables(mergeUserTables(a, b), c), mergeUserTables(a, mergeUserTables(b, c))));
      assert.ok(same(mergeUserTables(a, a), a));
    }),
  );
});

test('a later removal wins over the user it removes, and is not undone by an older copy', () => {
  const alice: UserEntry = { role: 'readwrite', buckets: null, hash: 'scrypt$x', deleted: false, updatedAtMs: 10, updatedBy: 'n1' };
  const removed: UserEntry = { ...alice, hash: '', deleted: true, updatedAtMs: 11 };
  const merged = mergeUserTables({ alice: removed }, { alice });
  assert.equal(liveUser(merged, 'alice'), undefined);
  assert.equal(liveUser(mergeUserTables({ alice }, { alice: removed }), 'alice'), undefined);
});

test('every table parseUserTable accepts survives a JSON round trip unchanged', () => {
  fc.assert(
    fc.property(table, (t) => {
      const parsed = parseUserTable(JSON.parse(JSON.stringify(t)) as unknown);
      assert.ok(parsed !== null && same(parsed, t));
    }),
  );
});

test('parseUserTable refuses malformed entries, bad names and oversize tables', () => {
  const good = { role: 'read', buckets: null, hash: 'scrypt$x', deleted: false, updatedAtMs: 1, updatedBy: 'n1' };
  assert.ok(parseUserTable({ alice: good }) !== null);
  for (const bad of [
    { ...good, role: 'god' },
    { ...good, buckets: 'all' },
    { ...good, buckets: [1] },
    { ...good, hash: '' },
    { ...good, deleted: 'no' },
    { ...good, updatedAtMs: -1 },
    { ...good, updatedAtMs: 1.5 },
    { ...good, updatedBy: '' },
    null,
    [],
  ]) {
    assert.equal(parseUserTable({ alice: bad }), null, JSON.stringify(bad));
  }
  assert.equal(parseUserTable({ 'bad name': good }), null);
  assert.equal(parseUserTable({ ['x'.repeat(65)]: good }), null);
  assert.equal(parseUserTable('users'), null);
  const huge: Record<string, unknown> = {};
  for (let i = 0; i <= MAX_USERS; i++) huge[`u${i}`] = good;
  assert.equal(parseUserTable(huge), null);
});
