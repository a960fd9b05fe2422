/**
 * Laws of the pure pieces of the counter, set, expiry and SCAN commands: SCAN's glob and cursor,
 * EXPIRE's options, what is left of an expiry. The commands themselves run against real nodes in
 * test/e2e/resp.test.ts and resp-secure.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { globPattern, parseScanCursor, parseScanOptions, type ScanPhase } from './scan-command.js';
import { optionAllows, remainingMs } from './expiry-commands.js';
import { typedBucket } from './typed-buckets.js';

const plain = fc.string({ maxLength: 40 }).filter((s) => !/[*?\\]/.test(s));

test('a glob without wildcards matches exactly itself; * and ? match what Redis says', () => {
  fc.assert(
    fc.property(plain, fc.string({ maxLength: 40 }), (s, other) => {
      assert.equal(globPattern(s).test(s), true);
      assert.equal(globPattern(s).test(other), other === s);
      assert.equal(globPattern(`${s}*`).test(`${s}${other}`), true);
      assert.equal(globPattern(`*${s}`).test(`${other}${s}`), true);
      assert.equal(globPattern('?'.repeat(other.length)).test(other), true, 'one ? per character');
      assert.equal(globPattern('?'.repeat(other.length + 1)).test(other), false);
      assert.equal(globPattern(`${s}*${s}`).test(`${s}${other}${s}`), true);
    }),
  );
  assert.equal(globPattern('user:\\*').test('user:*'), true, 'an escaped star is a star');
  assert.equal(globPattern('user:\\*').test('user:1'), false);
  assert.equal(globPattern('a.c').test('abc'), false, 'regular-expression characters are literal');
});

test('a glob agrees with the regular expression it stands for', () => {
  const globChar = fc.constantFrom('a', 'b', '*', '?');
  fc.assert(
    fc.property(fc.array(globChar, { maxLength: 8 }), fc.array(fc.constantFrom('a', 'b'), { maxLength: 10 }), (glob, text) => {
      const regex = new RegExp(`^${glob.map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c)).join('')}$`);
      assert.equal(globPattern(glob.join('')).test(text.join('')), regex.test(text.join('')), `${glob.join('')} on ${text.join('')}`);
    }),
  );
});

test('a hostile pattern of many stars costs at most pattern × key steps', () => {
  const started = performance.now();
  assert.equal(globPattern(`${'*a'.repeat(500)}b`).test('a'.repeat(4000)), false);
  assert.ok(performance.now() - started < 5000);
});

test('SCAN cursors: "0" starts, a phase letter and the listing cursor resume there, anything else is refused', () => {
  const phases: readonly ScanPhase[] = ['k', 'c', 's'];
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 }), fc.base64String({ maxLength: 60 }), (at, inner) => {
      const cursor = `${phases[at]!}${inner.replace(/[+/=]/g, '')}`;
      const parsed = parseScanCursor(cursor, phases);
      assert.ok(parsed !== null);
      assert.equal(parsed.phase, at);
      assert.equal(parsed.inner, cursor.length === 1 ? null : cursor.slice(1));
    }),
  );
  assert.deepEqual(parseScanCursor('0', phases), { phase: 0, inner: null });
  assert.equal(parseScanCursor('k', ['s']), null, 'a cursor of a phase this TYPE does not list');
  assert.equal(parseScanCursor('17', phases), null);
  assert.equal(parseScanCursor('', phases), null);
});

test('SCAN options: COUNT bounded, TYPE picks the buckets, errors as Redis words them', () => {
  const words = (...w: string[]) => w.map((x) => Buffer.from(x));
  const options = parseScanOptions(words('SCAN', '0', 'COUNT', '100000', 'TYPE', 'SET', 'MATCH', 'a*'));
  assert.ok(!Buffer.isBuffer(options));
  assert.equal(options.count, 1000);
  assert.deepEqual(options.phases, ['s']);
  const strings = parseScanOptions(words('SCAN', '0', 'type', 'string'));
  assert.ok(!Buffer.isBuffer(strings));
  assert.deepEqual(strings.phases, ['k', 'c']);
  assert.equal(String(parseScanOptions(words('SCAN', '0', 'COUNT'))), '-ERR syntax error\r\n');
  assert.equal(String(parseScanOptions(words('SCAN', '0', 'COUNT', 'x'))), '-ERR value is not an integer or out of range\r\n');
  assert.equal(String(parseScanOptions(words('SCAN', '0', 'LIMIT', '3'))), '-ERR syntax error\r\n');
});

test('EXPIRE options: NX only without an expiry, XX only with one, GT/LT compare with what is left (none is infinite)', () => {
  const left = fc.option(fc.integer({ min: 0, max: 1e9 }), { nil: null });
  fc.assert(
    fc.property(left, fc.integer({ min: -1e9, max: 1e9 }), (l, next) => {
      assert.equal(optionAllows(null, l, next), true);
      assert.notEqual(optionAllows('nx', l, next), optionAllows('xx', l, next), 'NX and XX split the cases');
      if (l === null) assert.deepEqual([optionAllows('gt', l, next), optionAllows('lt', l, next)], [false, true]);
      else {
        assert.equal(optionAllows('gt', l, next), next > l);
        assert.equal(optionAllows('lt', l, next), next < l);
      }
    }),
  );
});

test('what is left of an expiry is never negative, and none stays none', () => {
  fc.assert(
    fc.property(fc.option(fc.nat(), { nil: undefined }), fc.nat(), (at, now) => {
      const left = remainingMs(at, now);
      if (at === undefined) assert.equal(left, null);
      else assert.equal(left, Math.max(0, at - now));
    }),
  );
});

test('counters and sets live in buckets of their own beside the kv bucket', () => {
  assert.equal(typedBucket('redis', 'counter'), 'redis-counters');
  assert.equal(typedBucket('redis', 'set'), 'redis-sets');
});
