import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { array, bulk, integer, map, NIL } from './encoder.js';
import { RespParser } from './parser.js';
import { unknownCommand, wrongArity } from './replies.js';
import { globToRegExp } from './server-commands.js';
import { parseSetFlags } from './string-commands.js';

const words = (...w: string[]): Buffer[] => w.map((x) => Buffer.from(x));

test("unknown command and arity errors have Redis's exact wording", () => {
  assert.equal(unknownCommand(words('foo', 'a', 'b')).toString(), "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n");
  assert.equal(unknownCommand(words('foo')).toString(), "-ERR unknown command 'foo', with args beginning with: \r\n");
  assert.equal(wrongArity('get').toString(), "-ERR wrong number of arguments for 'get' command\r\n");
});

test("SET's options parse as Redis parses them; conflicts are syntax errors", () => {
  assert.deepEqual(parseSetFlags(words('SET', 'k', 'v', 'nx', 'GET'), 0), { nx: true, xx: false, get: true, keepTtl: false, ttlMs: null });
  assert.deepEqual(parseSetFlags(words('SET', 'k', 'v', 'KEEPTTL', 'XX'), 0), { nx: false, xx: true, get: false, keepTtl: true, ttlMs: null });
  assert.deepEqual(parseSetFlags(words('SET', 'k', 'v', 'EX', '10'), 0), { nx: false, xx: false, get: false, keepTtl: false, ttlMs: 10_000 });
  assert.deepEqual(parseSetFlags(words('SET', 'k', 'v', 'px', '250'), 0), { nx: false, xx: false, get: false, keepTtl: false, ttlMs: 250 });
  assert.deepEqual(parseSetFlags(words('SET', 'k', 'v', 'EXAT', '5'), 1000), { nx: false, xx: false, get: false, keepTtl: false, ttlMs: 4000 });
  assert.deepEqual(parseSetFlags(words('SET', 'k', 'v', 'PXAT', '5'), 1000), { nx: false, xx: false, get: false, keepTtl: false, ttlMs: 1 }, 'a time past writes a value gone at once');
  const syntax = '-ERR syntax error\r\n';
  for (const bad of [['NX', 'XX'], ['EX', '1', 'PX', '1'], ['EX'], ['KEEPTTL', 'EX', '1'], ['BOGUS']]) {
    assert.equal(String(parseSetFlags(words('SET', 'k', 'v', ...bad), 0)), syntax, bad.join(' '));
  }
  assert.equal(String(parseSetFlags(words('SET', 'k', 'v', 'EX', 'x'), 0)), '-ERR value is not an integer or out of range\r\n');
  assert.equal(String(parseSetFlags(words('SET', 'k', 'v', 'PX', '0'), 0)), "-ERR invalid expire time in 'set' command\r\n");
});

test('CONFIG GET globs match as Redis matches them', () => {
  assert.ok(globToRegExp('save').test('save'));
  assert.ok(globToRegExp('*').test('appendonly'));
  assert.ok(globToRegExp('app?ndonly').test('appendonly'));
  assert.ok(!globToRegExp('sav').test('save'));
  assert.ok(!globToRegExp('s.ve').test('save'), 'a dot is literal');
});

test('law: encoded bulks and arrays read back through a RESP parser as the same bytes', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 50 }), { minLength: 1, maxLength: 10 }), (items) => {
      const parsed = new RespParser().push(array(items.map(bulk)));
      assert.deepEqual(parsed, [{ kind: 'command', args: items.map((i) => Buffer.from(i)) }]);
    }),
  );
});

test('maps are flat arrays in RESP2 and % maps in RESP3; small integers and nil are shared', () => {
  assert.equal(map([['a', integer(1)]], 2).toString(), '*2\r\n$1\r\na\r\n:1\r\n');
  assert.equal(map([['a', integer(1)]], 3).toString(), '%1\r\n$1\r\na\r\n:1\r\n');
  assert.equal(integer(3), integer(3));
  assert.equal(integer(-7).toString(), ':-7\r\n');
  assert.equal(bulk(null), NIL);
});
