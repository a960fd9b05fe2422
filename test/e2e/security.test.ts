/**
 * Secure mode end to end on real processes (issue 16's proof): each refusal, and the node still
 * serving after it. Ports 30000-30199.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { join } from 'node:path';
import { encodeEnvelope } from '../../src/protocol/codec.js';
import { MessageType, PROTOCOL_VERSION, type PeerMessage } from '../../src/protocol/messages.js';
import { createNodeCert } from '../../src/security/certs.js';
import { Client } from '../../src/client/client.js';
import { encodeFrame } from '../../src/protocol/framing.js';
import { encodeHello } from '../../src/transport/hello.js';
import { waitFor } from './process-cluster.js';
import { cli, SecureCluster } from './secure-cluster.js';

const cluster = new SecureCluster(3, 30000);
const JSON_TYPE = { 'content-type': 'application/json' };

before(async () => {
  cluster.makeCerts();
  for (let i = 1; i <= 3; i++) cluster.start(i);
  await cluster.waitFormed([1, 2, 3]);
});
after(async () => cluster.stop());

async function stillServes(i: number, key: string): Promise<void> {
  assert.equal((await cluster.request(i, 'PUT', `/kv/alive/${key}`, { body: key })).status, 204);
  const read = await cluster.request(i, 'GET', `/kv/alive/${key}`);
  assert.equal(read.status, 200);
  assert.equal(read.text, key);
}

async function addUser(name: string, password: string, role: string, buckets?: string[]): Promise<void> {
  const answer = await cluster.request(1, 'PUT', `/admin/users/${name}`, { headers: JSON_TYPE, body: JSON.stringify({ password, role, ...(buckets === undefined ? {} : { buckets }) }) });
  assert.equal(answer.status, 200, answer.text);
}

test('the cert CLI wrote keys with mode 0600 and node certificates naming the node', async () => {
  const { statSync } = await import('node:fs');
  assert.equal(statSync(join(cluster.caDir, 'ca.key')).mode & 0o777, 0o600);
  assert.equal(statSync(join(cluster.certsDir(1), 'node.key')).mode & 0o777, 0o600);
  const again = cli('cert', 'create-ca', '--certs-dir', cluster.caDir);
  assert.notEqual(again.status, 0, 'an existing CA is never overwritten');
});

test('clients without credentials or with a wrong password get 401 and the Basic challenge; /health stays open', async () => {
  const none = await cluster.request(1, 'GET', '/kv/b/k', { auth: null });
  assert.equal(none.status, 401);
  assert.equal(none.headers.get('www-authenticate'), 'Basic realm="dynamo"');
  const wrong = await cluster.request(1, 'GET', '/kv/b/k', { auth: { user: 'root', password: 'nope' } });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers.get('www-authenticate'), 'Basic realm="dynamo"');
  assert.equal((await cluster.request(1, 'GET', '/health', { auth: null })).status, 200);
  await stillServes(1, 'after-401');
});

test('a read user may read but not write (403 forbidden); a user limited to buckets may not leave them', async () => {
  await addUser('reader', 'reader-pw', 'read');
  await addUser('carts', 'carts-pw', 'readwrite', ['cart']);
  const reader = { user: 'reader', password: 'reader-pw' };
  const carts = { user: 'carts', password: 'carts-pw' };
  assert.equal((await cluster.request(1, 'GET', '/kv/alive/after-401', { auth: reader })).status, 200);
  const write = await cluster.request(1, 'PUT', '/kv/alive/x', { auth: reader, body: 'x' });
  assert.equal(write.status, 403);
  assert.deepEqual(Object.keys(JSON.parse(write.text) as object).sort(), ['code', 'error']);
  assert.equal((JSON.parse(write.text) as { code: string }).code, 'forbidden');
  assert.equal((await cluster.request(1, 'PUT', '/kv/cart/c1', { auth: carts, body: 'c' })).status, 204);
  const outside = await cluster.request(1, 'PUT', '/kv/other/c1', { auth: carts, body: 'c' });
  assert.equal(outside.status, 403);
  assert.equal((JSON.parse(outside.text) as { code: string }).code, 'forbidden');
  assert.equal((await cluster.request(1, 'GET', '/admin/users', { auth: carts })).status, 403, 'admin routes need admin');
  assert.equal((await cluster.request(1, 'GET', '/admin/local/cart/c1', { auth: reader })).status, 403);
  await stillServes(1, 'after-403');
});

test('the users API validates what it is given and answers 404 for unknown users', async () => {
  const put = (name: string, body: unknown): Promise<{ status: number }> => cluster.request(1, 'PUT', `/admin/users/${name}`, { headers: JSON_TYPE, body: JSON.stringify(body) });
  assert.equal((await put('x', { password: 'p', role: 'god' })).status, 400);
  assert.equal((await put('x', { role: 'read' })).status, 400);
  assert.equal((await put('x', { password: 'p', role: 'read', buckets: 'all' })).status, 400);
  assert.equal((await put('bad%20name', { password: 'p', role: 'read' })).status, 400);
  assert.equal((await cluster.request(1, 'PUT', '/admin/users/x', { headers: JSON_TYPE, body: 'not json' })).status, 400);
  assert.equal((await cluster.request(1, 'GET', '/admin/users/nobody')).status, 404);
  assert.equal((await cluster.request(1, 'DELETE', '/admin/users/nobody')).status, 404);
  const listed = JSON.parse((await cluster.request(1, 'GET', '/admin/users')).text) as { users: { name: string }[] };
  assert.ok(listed.users.some((u) => u.name === 'root'));
  assert.ok(!JSON.stringify(listed).includes('scrypt'), 'hashes are never shown');
  await stillServes(1, 'after-bad-users');
});

test('a cross-site style form post to /admin/leave is refused and the node stays', async () => {
  const form = await cluster.request(2, 'POST', '/admin/leave', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'x=1' });
  assert.equal(form.status, 415);
  const plain = await cluster.request(2, 'POST', '/admin/leave', { headers: { 'content-type': 'text/plain' }, body: '{}' });
  assert.equal(plain.status, 415);
  await new Promise((r) => setTimeout(r, 500));
  assert.ok(cluster.isAlive(2));
  const view = JSON.parse((await cluster.request(1, 'GET', '/cluster')).text) as { members: { id: string; state: string }[] };
  assert.equal(view.members.find((m) => m.id === 'n2')?.state, 'up');
  await stillServes(2, 'after-form-post');
});

test('the TypeScript client speaks TLS and authenticates on the client port; refusals are typed errors', async () => {
  const nodes = [cluster.url(1)];
  const root = await Client.connect({ nodes, tls: { ca: cluster.ca }, auth: { user: 'root', password: 'root-secret-1' } });
  try {
    await root.put('native', 'k1', 'v1');
    assert.equal((await root.get('native', 'k1')).value?.toString(), 'v1');
  } finally {
    root.close();
  }
  const reader = await Client.connect({ nodes, tls: { ca: cluster.ca }, auth: { user: 'reader', password: 'reader-pw' } });
  try {
    assert.equal((await reader.get('native', 'k1')).value?.toString(), 'v1');
    await assert.rejects(reader.put('native', 'k2', 'x'), (err: Error & { code?: string }) => err.code === 'forbidden');
  } finally {
    reader.close();
  }
  const wrong = new Client({ nodes, tls: { ca: cluster.ca }, auth: { user: 'root', password: 'nope' } });
  try {
    // The ring comes over HTTPS, where the wrong password is refused before any native connection.
    await assert.rejects(wrong.get('native', 'k1'));
  } finally {
    wrong.close();
  }
  // A raw client that sends a request without authenticating first is answered unauthenticated and closed.
  const { Connection } = await import('../../src/client/connection.js');
  const errors: string[] = [];
  const raw = new Connection({ host: '127.0.0.1', port: cluster.clientPort(1), connectTimeoutMs: 5000, maxFrameBytes: 1 << 20, tls: { ca: cluster.ca }, onGone: (_c, e) => errors.push(e.message) });
  await assert.rejects(raw.send({ op: 'get', bucket: 'native', key: 'k1' }, 5000));
  assert.match(errors.join(' '), /unauthenticated/);
  await stillServes(1, 'after-native');
});

test('a plaintext peer on the TLS peer port is refused and counted', async () => {
  const before = await cluster.metricNow(1, 'dynamo_peer_connections_refused_total');
  const port = cluster.basePort + 1;
  await new Promise<void>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(Buffer.concat([encodeHello('127.0.0.1:30999'), encodeFrame(Buffer.from('x'))])));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
  });
  await waitFor(async () => (await cluster.metric(1, 'dynamo_peer_connections_refused_total')) > before, 10_000, 'refusal counted');
  await stillServes(1, 'after-plaintext');
});

test('a peer whose certificate names n2 but claims to be n3 has its frames dropped and counted', async () => {
  const ca = { certPem: cluster.ca, keyPem: readFileSync(join(cluster.caDir, 'ca.key'), 'utf8') };
  const n2 = await createNodeCert(ca, 'n2', ['127.0.0.1']);
  const before = await cluster.metricNow(1, 'dynamo_forged_senders_total');
  const frames = [
    { from: 'n3', body: { type: MessageType.Heartbeat, membershipDigest: 'x', bucketsDigest: 'y' } },
    { from: 'n2', body: { type: MessageType.JoinRequest, spec: { id: 'n3', address: '127.0.0.1:30999', httpAddress: '127.0.0.1:30998', clientAddress: null, weight: 5 } } },
  ].map((f) => encodeFrame(encodeEnvelope({ v: PROTOCOL_VERSION, from: f.from, body: f.body as PeerMessage })));
  const socket = connectTls({ host: '127.0.0.1', port: cluster.basePort + 1, ca: cluster.ca, cert: n2.certPem, key: n2.keyPem });
  socket.on('error', () => undefined);
  socket.on('secureConnect', () => socket.write(Buffer.concat([encodeHello('127.0.0.1:30999'), ...frames])));
  await waitFor(async () => (await cluster.metric(1, 'dynamo_forged_senders_total')) >= before + 2, 10_000, 'both forged frames counted');
  socket.destroy();
  const view = JSON.parse((await cluster.request(1, 'GET', '/cluster')).text) as { members: { id: string; address: string; weight: number }[] };
  const n3 = view.members.find((m) => m.id === 'n3')!;
  assert.equal(n3.address, cluster.peer(3), "n3's entry was not rewritten");
  assert.equal(n3.weight, 1);
  await stillServes(1, 'after-forgery');
});

test('a node with a certificate of another CA never gets in, and the cluster keeps serving', async () => {
  const otherCa = join(cluster.dataRoot, 'other-ca');
  assert.equal(cli('cert', 'create-ca', '--certs-dir', otherCa).status, 0);
  assert.equal(cli('cert', 'create-node', '--certs-dir', otherCa, '--id', 'n4', '127.0.0.1', '--out', join(cluster.dataRoot, 'certs-n4')).status, 0);
  const before = await cluster.metricNow(1, 'dynamo_peer_connections_refused_total');
  cluster.start(4, { certsDir: join(cluster.dataRoot, 'certs-n4') });
  try {
    await waitFor(async () => (await cluster.metric(1, 'dynamo_peer_connections_refused_total')) > before, 20_000, 'the stranger refused');
    const view = JSON.parse((await cluster.request(1, 'GET', '/cluster')).text) as { members: { id: string }[] };
    assert.ok(!view.members.some((m) => m.id === 'n4'), 'n4 was not admitted');
    await stillServes(1, 'after-stranger');
  } finally {
    await cluster.kill(4);
  }
});

test('a node of another cluster is refused even with a certificate of the same CA', async () => {
  assert.equal(cli('cert', 'create-node', '--certs-dir', cluster.caDir, '--id', 'n6', '127.0.0.1', '--out', cluster.certsDir(6)).status, 0);
  // n6 founds a cluster of its own, then comes back pointed at this one (an address reused).
  cluster.start(6, { seeds: cluster.peer(6) });
  try {
    await waitFor(async () => (await cluster.tryRequest(6, 'GET', '/health'))?.status === 200, 60_000, 'n6 founded its own cluster');
    const theirs = (JSON.parse((await cluster.request(6, 'GET', '/cluster')).text) as { clusterId: string }).clusterId;
    const ours = (JSON.parse((await cluster.request(1, 'GET', '/cluster')).text) as { clusterId: string }).clusterId;
    assert.match(ours, /^[0-9a-f]{16}$/);
    assert.notEqual(theirs, ours);
    await cluster.kill(6, 'SIGTERM');
    const before = await cluster.metricNow(1, 'dynamo_peer_connections_refused_total');
    cluster.start(6, { seeds: cluster.seeds() });
    await waitFor(async () => (await cluster.metric(1, 'dynamo_peer_connections_refused_total')) > before, 60_000, 'n6 refused by n1');
    const view = JSON.parse((await cluster.request(1, 'GET', '/cluster')).text) as { members: { id: string }[]; clusterId: string };
    assert.ok(!view.members.some((m) => m.id === 'n6'), 'n6 was not merged in');
    assert.equal(view.clusterId, ours);
    await stillServes(1, 'after-other-cluster');
  } finally {
    await cluster.kill(6);
  }
});

test('a user created on node 1 authenticates on node 3 while node 2 is down', async () => {
  await cluster.kill(2);
  await addUser('late', 'late-pw', 'readwrite');
  const late = { user: 'late', password: 'late-pw' };
  await waitFor(async () => (await cluster.tryRequest(3, 'GET', '/kv/alive/after-401', { auth: late }))?.status === 200, 30_000, 'n3 knows the user');
  assert.equal((await cluster.request(3, 'PUT', '/kv/alive/by-late', { auth: late, body: 'v' })).status, 204);
  // Removal spreads the same way, as a tombstone.
  assert.equal((await cluster.request(1, 'DELETE', '/admin/users/late')).status, 200);
  await waitFor(async () => (await cluster.tryRequest(3, 'GET', '/kv/alive/after-401', { auth: late }))?.status === 401, 30_000, 'n3 forgets the user');
});

test('start refuses a non-loopback host without --certs-dir or --insecure, and founding secure without a root password', () => {
  const open = cli('start', '--id', 'x', '--host', '10.1.2.3', '--port', '30190', '--http-port', '30191', '--data', join(cluster.dataRoot, 'x'));
  assert.notEqual(open.status, 0);
  assert.match(open.out, /--certs-dir/);
  assert.match(open.out, /--insecure/);
  assert.match(open.out, /dynamo cert/);
  const founding = cli('start', '--id', 'n1', '--host', '127.0.0.1', '--port', '30192', '--http-port', '30193', '--data', join(cluster.dataRoot, 'y'), '--seeds', '127.0.0.1:30192', '--certs-dir', cluster.certsDir(1));
  assert.notEqual(founding.status, 0);
  assert.match(founding.out, /--root-password-file/);
});
