import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actionOf, basicCredentials, crossSiteRefusal } from './http-auth.js';
import { isLoopback, resolveSecurity } from '../cli/security-flags.js';

test('Basic credentials are decoded; malformed headers are no credentials', () => {
  const header = `Basic ${Buffer.from('alice:pa:ss').toString('base64')}`;
  assert.deepEqual(basicCredentials(header), { user: 'alice', password: 'pa:ss' });
  for (const bad of [undefined, 'Bearer x', 'Basic', 'Basic !!!', `Basic ${Buffer.from('nocolon').toString('base64')}`, `Basic ${Buffer.from(':pw').toString('base64')}`]) {
    assert.equal(basicCredentials(bad), null, String(bad));
  }
});

test('a POST to an admin or bucket route needs Content-Type: application/json; other routes and methods do not', () => {
  assert.equal(crossSiteRefusal('POST', ['admin', 'leave'], 'application/x-www-form-urlencoded')?.status, 415);
  assert.equal(crossSiteRefusal('POST', ['admin', 'leave'], undefined)?.status, 415);
  assert.equal(crossSiteRefusal('POST', ['admin', 'restore'], 'application/octet-stream'), null, 'a restore posts dump blocks, which need a preflight too');
  assert.equal(crossSiteRefusal('POST', ['admin', 'leave'], 'application/octet-stream')?.status, 415);
  assert.equal(crossSiteRefusal('POST', ['admin', 'leave'], 'text/plain')?.status, 415);
  assert.equal(crossSiteRefusal('POST', ['buckets', 'b'], 'multipart/form-data; boundary=x')?.status, 415);
  assert.equal(crossSiteRefusal('POST', ['admin', 'leave'], 'application/json; charset=utf-8'), null);
  assert.equal(crossSiteRefusal('PUT', ['buckets', 'b'], undefined), null);
  assert.equal(crossSiteRefusal('POST', ['kv', 'b', 'k'], 'text/plain'), null);
});

test('routes map to actions: health open, kv by method, cluster/ring for anyone, the rest admin', () => {
  assert.equal(actionOf('GET', ['health']), null);
  assert.deepEqual(actionOf('GET', ['kv', 'b', 'k']), { kind: 'read', bucket: 'b' });
  assert.deepEqual(actionOf('DELETE', ['kv', 'b', 'k']), { kind: 'write', bucket: 'b' });
  assert.deepEqual(actionOf('GET', ['ui', 'state']), { kind: 'any' }, 'the dashboard is for a read user too');
  assert.deepEqual(actionOf('GET', ['ring']), { kind: 'any' });
  assert.deepEqual(actionOf('GET', ['buckets', 'b']), { kind: 'read', bucket: 'b' });
  assert.deepEqual(actionOf('PUT', ['buckets', 'b']), { kind: 'admin' });
  for (const path of [['status'], ['metrics'], ['admin', 'local', 'b', 'k'], ['admin', 'users']]) assert.deepEqual(actionOf('GET', path), { kind: 'admin' });
});

test('the loopback rule: plain only on loopback unless --insecure; the error names both flags and dynamo cert', () => {
  assert.ok(isLoopback('127.0.0.1') && isLoopback('127.1.2.3') && isLoopback('::1') && isLoopback('localhost'));
  assert.ok(!isLoopback('0.0.0.0') && !isLoopback('10.0.0.1') && !isLoopback('example.com'));
  assert.equal(resolveSecurity({ id: 'n1', host: '127.0.0.1' }), undefined);
  assert.equal(resolveSecurity({ id: 'n1', host: '10.0.0.1', insecure: true }), undefined);
  assert.throws(() => resolveSecurity({ id: 'n1', host: '0.0.0.0' }), (err: Error) => /--certs-dir/.test(err.message) && /--insecure/.test(err.message) && /dynamo cert/.test(err.message));
  assert.throws(() => resolveSecurity({ id: 'n1', host: '127.0.0.1', certsDir: '/x', insecure: true }), /not both/);
  assert.throws(() => resolveSecurity({ id: 'n1', host: '127.0.0.1', tlsTransitional: true }), /needs --certs-dir/);
});
