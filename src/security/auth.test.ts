import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMPTY_USER_TABLE, mergeUserTables, type Role, type UserTable } from '../core/users/index.js';
import { Authenticator, authorize, type Principal } from './auth.js';
import { hashPassword, verifyPassword } from './passwords.js';

function entry(role: Role, hash: string, at: number, buckets: string[] | null = null): UserTable[string] {
  return { role, buckets, hash, deleted: false, updatedAtMs: at, updatedBy: 'n1' };
}

test('scrypt hashes are salted and verify only the right password', async () => {
  const a = await hashPassword('pw');
  const b = await hashPassword('pw');
  assert.notEqual(a, b, 'a fresh salt each time');
  assert.ok(!a.includes('pw'));
  assert.equal(await verifyPassword('pw', a), true);
  assert.equal(await verifyPassword('pW', a), false);
  for (const bad of ['', 'scrypt$1$1$1$x$y', 'md5$abc', 'scrypt$99999999$8$1$AAAA$AAAA', a.replace('scrypt', 'bcrypt')]) assert.equal(await verifyPassword('pw', bad), false);
});

test('a verified password is cached: the second request derives no key; a changed password misses the cache', async () => {
  let table: UserTable = { alice: entry('readwrite', await hashPassword('one'), 1) };
  const auth = new Authenticator(() => table);
  assert.equal((await auth.authenticate('alice', 'one', 'a')).ok, true);
  assert.equal(auth.stats.derivations, 1);
  for (let i = 0; i < 100; i++) assert.equal((await auth.authenticate('alice', 'one', 'a')).ok, true);
  assert.equal(auth.stats.derivations, 1, 'no key derivation on the hot path');
  assert.equal(auth.cached('alice', 'one')?.role, 'readwrite');
  assert.equal(auth.cached('alice', 'two'), undefined);
  table = mergeUserTables(table, { alice: entry('read', table.alice!.hash, 2) });
  assert.equal(auth.cached('alice', 'one')?.role, 'read', 'a role change applies at once');
  table = mergeUserTables(table, { alice: entry('read', await hashPassword('two'), 3) });
  assert.equal(auth.cached('alice', 'one'), undefined, 'the old password no longer passes');
  assert.equal((await auth.authenticate('alice', 'one', 'a')).ok, false);
  assert.equal((await auth.authenticate('alice', 'two', 'a')).ok, true);
  table = mergeUserTables(table, { alice: { ...entry('read', '', 4), deleted: true } });
  assert.equal(auth.cached('alice', 'two'), undefined, 'a removed user is refused');
  assert.equal((await auth.authenticate('alice', 'two', 'a')).ok, false);
});

test('failed attempts are rate-limited per source, without a key derivation, and the window passes', async () => {
  let now = 0;
  const table: UserTable = { bob: entry('read', await hashPassword('right'), 1) };
  const auth = new Authenticator(() => table, { maxFailures: 3, failureWindowMs: 1000, maxSources: 2, nowMs: () => now });
  for (let i = 0; i < 3; i++) assert.deepEqual((await auth.authenticate('bob', 'wrong', 'evil')).ok, false);
  const derivations = auth.stats.derivations;
  const limited = await auth.authenticate('bob', 'right', 'evil');
  assert.ok(!limited.ok && limited.code === 'rate_limited');
  assert.equal(auth.stats.derivations, derivations, 'refused before deriving');
  assert.equal((await auth.authenticate('bob', 'right', 'elsewhere')).ok, true, 'other sources are not affected');
  now = 1001;
  assert.equal((await auth.authenticate('bob', 'right', 'evil')).ok, true, 'the window passed');
  assert.equal((await new Authenticator(() => EMPTY_USER_TABLE).authenticate('nobody', 'x', 's')).ok, false);
});

test('the failure map stays within its bound', async () => {
  const auth = new Authenticator(() => EMPTY_USER_TABLE, { maxSources: 5, maxFailures: 1 });
  for (let i = 0; i < 20; i++) await auth.authenticate('x', 'y', `s${i}`);
  // The oldest sources were forgotten: s0 may try again (and fails on the password, not the limit).
  const again = await auth.authenticate('x', 'y', 's0');
  assert.ok(!again.ok && again.code === 'unauthenticated');
  const recent = await auth.authenticate('x', 'y', 's19');
  assert.ok(!recent.ok && recent.code === 'rate_limited');
});

test('authorize: read reads, readwrite writes, admin does everything, buckets restrict', () => {
  const p = (role: Role, buckets: string[] | null = null): Principal => ({ user: 'u', role, buckets });
  assert.ok(authorize(p('read'), { kind: 'read', bucket: 'b' }).ok);
  assert.ok(!authorize(p('read'), { kind: 'write', bucket: 'b' }).ok);
  assert.ok(authorize(p('readwrite'), { kind: 'write', bucket: 'b' }).ok);
  assert.ok(!authorize(p('readwrite'), { kind: 'admin' }).ok);
  assert.ok(authorize(p('admin'), { kind: 'admin' }).ok);
  assert.ok(authorize(p('admin', ['x']), { kind: 'write', bucket: 'b' }).ok);
  assert.ok(!authorize(p('readwrite', ['cart']), { kind: 'write', bucket: 'other' }).ok);
  assert.ok(authorize(p('readwrite', ['cart']), { kind: 'read', bucket: 'cart' }).ok);
  assert.ok(authorize(p('read'), { kind: 'any' }).ok);
  const refused = authorize(p('read'), { kind: 'write', bucket: 'b' });
  assert.ok(!refused.ok && refused.code === 'forbidden');
});
