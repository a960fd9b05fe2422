/** parseTarget agrees with the `new URL` parsing it replaces, on every target, odd ones included. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseTarget } from './request-target.js';

function reference(raw: string): { segments: string[]; query: [string, string][] } | 'error' {
  try {
    const url = new URL(raw, 'http://local');
    return { segments: url.pathname.split('/').slice(1).map((s) => decodeURIComponent(s)), query: [...url.searchParams] };
  } catch {
    return 'error';
  }
}

function parsed(raw: string): { segments: string[]; query: [string, string][] } | 'error' {
  const t = parseTarget(raw);
  return t.ok ? { segments: t.segments, query: [...t.query] } : 'error';
}

test('common targets', () => {
  assert.deepEqual(parsed('/kv/carts/alice'), { segments: ['kv', 'carts', 'alice'], query: [] });
  assert.deepEqual(parsed('/kv/carts/a%2Fb?w=3&strict=true'), { segments: ['kv', 'carts', 'a/b'], query: [['w', '3'], ['strict', 'true']] });
  assert.deepEqual(parsed('/kv/b/k?'), { segments: ['kv', 'b', 'k'], query: [] });
  assert.deepEqual(parsed('/kv/b/%E2%82%AC'), { segments: ['kv', 'b', '€'], query: [] });
  assert.equal(parsed('/kv/b/%zz'), 'error');
  assert.equal(parsed('/kv/b/%E2%82'), 'error');
});

test('agrees with new URL on generated targets', () => {
  const part = fc.stringMatching(/^[a-zA-Z0-9%._~!$&'()*+,;=:@?#/\\ -]{0,12}$/);
  fc.assert(
    fc.property(fc.array(part, { maxLength: 5 }), fc.option(part), (segments, query) => {
      const raw = '/' + segments.join('/') + (query === null ? '' : `?${query}`);
      assert.deepEqual(parsed(raw), reference(raw), raw);
    }),
    { numRuns: 3000, seed: 20261205 },
  );
});
