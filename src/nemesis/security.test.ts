/**
 * `nemesis --secure`'s preparation and its requests: every node's certs dir is one a node accepts
 * (tls-files.ts checks it as `dynamo start` does), the key stays private, the root password file
 * holds the password the harness sends; and a write's outcome is classified the same over HTTPS as
 * over plain HTTP (a refused connection did nothing: failed; a broken one may have: unknown).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { summarize } from '../security/cert-info.js';
import { loadTlsMaterial } from '../security/tls-files.js';
import { PLAIN, type HttpAccess } from './access.js';
import { httpWrite } from './http-client.js';
import { NodeProcesses } from './processes.js';
import { prepareSecurity } from './security.js';

function flag(args: readonly string[], name: string): string {
  const at = args.indexOf(name);
  assert.ok(at >= 0 && at + 1 < args.length, `${name} in ${args.join(' ')}`);
  return args[at + 1]!;
}

test('nemesis --secure: each node gets a certs dir it accepts, a private key and the root password the harness uses', async () => {
  const nodes = new NodeProcesses({ nodes: 3, basePort: 36_800, addressBase: 150, separateUids: false, uidBase: 0, storage: 'disk' });
  try {
    const security = await prepareSecurity(nodes);
    assert.equal(security.access.kind, 'secure');
    if (security.access.kind !== 'secure') return;
    assert.equal(security.access.auth.user, 'root');
    for (const spec of nodes.specs) {
      const args = security.args(spec);
      const dir = flag(args, '--certs-dir');
      const loaded = loadTlsMaterial(dir, spec.id);
      assert.ok(loaded.ok, loaded.ok ? '' : loaded.error);
      assert.equal(loaded.material.ca, security.access.ca);
      const cert = summarize(loaded.material.cert);
      assert.equal(cert.commonName, spec.id);
      assert.deepEqual(cert.ipAddresses, [spec.host]);
      assert.equal(statSync(join(dir, 'node.key')).mode & 0o777, 0o600);
      assert.equal(readFileSync(flag(args, '--root-password-file'), 'utf8'), `${security.access.auth.password}\n`);
    }
    assert.equal(nodes.url(1), `http://${nodes.spec(1).host}:${nodes.spec(1).httpPort}`);
    nodes.secure(security);
    assert.equal(nodes.url(1), `https://${nodes.spec(1).host}:${nodes.spec(1).httpPort}`);
  } finally {
    nodes.removeData();
  }
});

test('nemesis --secure: a write is failed when refused and unknown when the connection breaks, over HTTPS as over HTTP', async () => {
  const nodes = new NodeProcesses({ nodes: 1, basePort: 36_810, addressBase: 160, separateUids: false, uidBase: 0, storage: 'disk' });
  const secure = (await prepareSecurity(nodes)).access;
  nodes.removeData();
  // Accepts, then drops every connection at once: the request may have reached the node.
  const breaker = createServer((socket) => socket.destroy());
  await new Promise<void>((done) => breaker.listen(36_901, '127.0.0.1', done));
  try {
    const cases: [string, HttpAccess][] = [['http', PLAIN], ['https', secure]];
    for (const [scheme, access] of cases) {
      const refused = await httpWrite(`${scheme}://127.0.0.1:36900`, 'b', 'k', Buffer.from('v'), '', { timeoutMs: 5000 }, access);
      assert.deepEqual(refused.ok ? 'ok' : [refused.outcome, refused.error], ['failed', 'ECONNREFUSED'], scheme);
      const broken = await httpWrite(`${scheme}://127.0.0.1:36901`, 'b', 'k', Buffer.from('v'), '', { timeoutMs: 5000 }, access);
      assert.equal(broken.ok ? 'ok' : broken.outcome, 'unknown', scheme);
    }
  } finally {
    await new Promise((done) => breaker.close(done));
  }
});
