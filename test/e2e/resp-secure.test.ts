/**
 * The Redis port of a secure cluster (--certs-dir) on real processes: it speaks TLS with the
 * node's certificate, a connection logs in with AUTH as one of the cluster's users, data commands
 * before AUTH answer -NOAUTH, a role that does not allow a command answers -NOPERM. ioredis over
 * TLS, and raw TLS sockets for the exact replies. Ports 35500-35899.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { connect } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { Redis } from 'ioredis';
import { waitFor } from './process-cluster.js';
import { ROOT_PASSWORD, SecureCluster } from './secure-cluster.js';

const BASE = 35500;
const HOST = '127.0.0.1';
const cluster = new SecureCluster(3, BASE);
const respPort = (i: number): number => BASE + 300 + i;

before(async () => {
  cluster.makeCerts();
  for (let i = 1; i <= 3; i++) cluster.start(i, { extra: ['--resp-port', String(respPort(i))] });
  await cluster.waitFormed([1, 2, 3]);
});
after(async () => cluster.stop());

/** Sends `text` over TLS (trusting the cluster's CA) and collects the replies until `expect` holds or `ms` pass. */
function tlsExchange(port: number, text: string, expect: (got: string) => boolean, ms = 20_000): Promise<string> {
  return new Promise((done) => {
    const socket = connectTls({ host: HOST, port, ca: cluster.ca, servername: 'localhost' });
    let got = '';
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      done(got);
    };
    const timer = setTimeout(finish, ms);
    socket.on('secureConnect', () => socket.write(text));
    socket.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (expect(got)) finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
  });
}

const lines = (n: number) => (got: string) => got.split('\r\n').length > n;

test('TLS only: a plain-text client gets no Redis reply', async () => {
  const text = await new Promise<string>((done) => {
    const socket = connect(respPort(1), HOST);
    let got = '';
    const timer = setTimeout(() => {
      socket.destroy();
      done(got);
    }, 3000);
    socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      done(got);
    });
    socket.write('PING\r\n');
  });
  assert.doesNotMatch(text, /PONG/);
});

test('before AUTH: -NOAUTH for data commands, wrong passwords -WRONGPASS; AUTH pipelined with commands logs in first', async () => {
  const before = await tlsExchange(respPort(1), 'GET k\r\nPING\r\nINCR c\r\nAUTH root wrong\r\nSET k v\r\nHELLO 3\r\n', lines(6));
  assert.equal(
    before,
    '-NOAUTH Authentication required.\r\n-NOAUTH Authentication required.\r\n-NOAUTH Authentication required.\r\n' +
      '-WRONGPASS invalid username-password pair or user is disabled.\r\n-NOAUTH Authentication required.\r\n' +
      '-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n',
  );
  const pipelined = await tlsExchange(respPort(2), `AUTH root ${ROOT_PASSWORD}\r\nSET sec:k v1\r\nGET sec:k\r\nINCR sec:c\r\n`, lines(5));
  assert.match(pipelined, /^\+OK\r\n\+OK\r\n\$2\r\nv1\r\n:\d+\r\n$/, 'the commands after AUTH waited for it');
  const passwordOnly = await tlsExchange(respPort(3), `AUTH ${ROOT_PASSWORD}\r\nGET sec:k\r\n`, lines(3));
  assert.equal(passwordOnly, '+OK\r\n$2\r\nv1\r\n', 'AUTH <password> logs in as root');
  const hello = await tlsExchange(respPort(3), `HELLO 2 AUTH root ${ROOT_PASSWORD}\r\nGET sec:k\r\n`, (got) => got.endsWith('$2\r\nv1\r\n'));
  assert.match(hello, /^\*14\r\n\$6\r\nserver\r\n[\s\S]*\$2\r\nv1\r\n$/, 'HELLO AUTH logs in and handshakes');
});

test('ioredis over TLS with a user: every command family; a read-only user gets -NOPERM for writes', async () => {
  const made = await cluster.request(1, 'PUT', '/admin/users/reader', {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ password: 'reader-pw-1', role: 'read', buckets: ['redis', 'redis-counters', 'redis-sets'] }),
  });
  assert.ok(made.status >= 200 && made.status < 300, made.text);
  const tls = { ca: cluster.ca, servername: 'localhost' };
  const root = new Redis({ host: HOST, port: respPort(1), tls, username: 'root', password: ROOT_PASSWORD, maxRetriesPerRequest: 2 });
  try {
    assert.equal(await root.set('sec:shared', 'hello'), 'OK');
    assert.equal(await root.incrby('sec:count', 5), 5);
    assert.equal(await root.sadd('sec:set', 'a', 'b'), 2);
    assert.equal(await root.expire('sec:shared', 1000), 1);
    const [, keys] = (await root.scan('0', 'COUNT', 1000)) as [string, string[]];
    assert.ok(Array.isArray(keys));
  } finally {
    root.disconnect();
  }
  // The user reaches the other nodes by gossip (logging in before would count failures against this address).
  await waitFor(async () => (await cluster.tryRequest(2, 'GET', '/admin/users/reader'))?.status === 200, 30_000, 'node 2 knows the read-only user');
  const r = new Redis({ host: HOST, port: respPort(2), tls, username: 'reader', password: 'reader-pw-1', maxRetriesPerRequest: 2 });
  try {
    assert.equal(await r.get('sec:shared'), 'hello');
    assert.deepEqual(await r.smembers('sec:set'), ['a', 'b']);
    assert.equal(await r.type('sec:set'), 'set');
    await assert.rejects(r.set('sec:shared', 'x'), /^ReplyError: NOPERM reader has no permissions to run this command/);
    await assert.rejects(r.incr('sec:count'), /NOPERM/);
    await assert.rejects(r.sadd('sec:set', 'c'), /NOPERM/);
    assert.equal(await r.get('sec:shared'), 'hello', 'the refused SET changed nothing');
    assert.equal(await r.call('DYNAMO.BUCKET', 'elsewhere'), 'OK');
    await assert.rejects(r.sadd('k', 'x'), /NOPERM/);
    const typeOf = async (bucket: string): Promise<string | undefined> =>
      (JSON.parse((await cluster.request(2, 'GET', `/buckets/${bucket}`)).text) as { props: { type?: string } }).props.type;
    assert.equal(await typeOf('redis-sets'), 'set', 'a bucket the port typed shows its type');
    await new Promise((done) => setTimeout(done, 2000)); // a type change takes an emptiness check, then gossip
    assert.notEqual(await typeOf('elsewhere-sets'), 'set', 'a user who may not write a bucket does not make the port type it');
  } finally {
    r.disconnect();
  }
});

test('redis-cli and redis-benchmark over TLS with a user (Debian\'s redis-tools; skipped without them)', (t) => {
  if (spawnSync('redis-cli', ['--version']).status !== 0) return t.skip('redis-cli is not installed (scripts/install-redis-tools.sh)');
  const tlsArgs = ['--tls', '--cacert', join(cluster.caDir, 'ca.crt'), '--sni', 'localhost', '-h', HOST, '-p', String(respPort(3))];
  const cli = spawnSync('redis-cli', [...tlsArgs, '--user', 'root', '--pass', ROOT_PASSWORD, '--no-auth-warning'], { input: 'PING\nINCR sec:cli\nSADD sec:cli-set x\nTYPE sec:cli-set\n', encoding: 'utf8', timeout: 60_000 });
  assert.equal(cli.status, 0, cli.stderr);
  const out = cli.stdout.trim().split('\n');
  assert.equal(out[0], 'PONG');
  assert.match(out[1]!, /^\d+$/);
  assert.deepEqual(out.slice(2), ['1', 'set']);
  const noAuth = spawnSync('redis-cli', [...tlsArgs, 'GET', 'sec:k'], { encoding: 'utf8', timeout: 60_000 });
  assert.match(noAuth.stdout + noAuth.stderr, /NOAUTH Authentication required/);
  const bench = spawnSync('redis-benchmark', [...tlsArgs, '--user', 'root', '-a', ROOT_PASSWORD, '-t', 'set,incr', '-n', '2000', '-c', '10', '--csv'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(bench.status, 0, bench.stderr);
  assert.doesNotMatch(bench.stdout + bench.stderr, /Error from server|NOAUTH|WRONGPASS/, 'AUTH pipelined with the first command logs in first');
  t.diagnostic(bench.stdout.trim());
});
