/**
 * The Redis-protocol port against three real node processes, driven by the clients Redis users
 * use: ioredis (ready check, pipelining, reconnect after its node was killed, counters, sets,
 * expiry, SCAN), node-redis (auto-pipelining), a scripted redis-cli session and redis-benchmark
 * (0 errors, INCR and SADD included). redis-cli and
 * redis-benchmark come from Debian's redis-tools (scripts/install-redis-tools.sh); without them
 * those two tests skip and say why.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { kv, ProcessCluster, waitFor } from './process-cluster.js';

const cluster = new ProcessCluster({ nodes: 3, basePort: 35000, storage: 'memory', respPorts: true });
const HOST = '127.0.0.1';

function redisToolsMissing(): string | false {
  const install = spawnSync('bash', [resolve(import.meta.dirname, '../../scripts/install-redis-tools.sh')], { encoding: 'utf8', timeout: 300_000 });
  return install.status === 0 ? false : `redis-tools are not installed and could not be (${install.stderr.trim() || 'no apt-get'}): skipped`;
}
let toolsMissing: string | false = false;

before(async () => {
  toolsMissing = redisToolsMissing();
  await cluster.startAll();
});
after(() => cluster.stop());

/** Sends raw bytes and collects what comes back until the server closes or `ms` pass. */
function raw(port: number, bytes: string | Buffer, ms = 3000): Promise<{ text: string; closed: boolean }> {
  return new Promise((done) => {
    const socket = connect(port, HOST);
    let text = '';
    let closed = false;
    const timer = setTimeout(() => {
      socket.destroy();
      done({ text, closed });
    }, ms);
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      clearTimeout(timer);
      done({ text, closed });
    });
    socket.write(bytes);
  });
}

test('ioredis: ready check, SET/GET across nodes, pipelining in order, MGET/MSET/DEL/EXISTS, errors keep the connection', async () => {
  const a = new Redis({ host: HOST, port: cluster.respPort(1), lazyConnect: true, maxRetriesPerRequest: 2 });
  const b = new Redis({ host: HOST, port: cluster.respPort(2), lazyConnect: true, maxRetriesPerRequest: 2 });
  try {
    await a.connect();
    await b.connect();
    assert.equal(a.status, 'ready');
    assert.equal(await a.set('user:1000', 'ada'), 'OK');
    assert.equal(await b.get('user:1000'), 'ada', 'written through node 1, read through node 2');
    const fromHttp = await kv(cluster.url(3), 'GET', '/kv/redis/user:1000');
    assert.equal(fromHttp.body.toString(), 'ada', 'a Redis key is a key of the "redis" bucket, colons included');

    const pipeline = a.pipeline();
    for (let i = 0; i < 200; i++) pipeline.set(`p:${i}`, `v${i}`);
    for (let i = 0; i < 200; i++) pipeline.get(`p:${i}`);
    const results = await pipeline.exec();
    assert.ok(results !== null);
    for (let i = 0; i < 200; i++) assert.deepEqual(results[i], [null, 'OK']);
    for (let i = 0; i < 200; i++) assert.deepEqual(results[200 + i], [null, `v${i}`], 'replies come in command order');

    // Commands of one pipeline on the same key take effect in order, as in Redis, even those that
    // are a read then a write here.
    await a.set('po', '1');
    const ordered = await a.pipeline().del('po').get('po').set('po', '2', 'GET').getdel('po').get('po').setnx('po', '3').get('po').exec();
    assert.deepEqual(ordered?.map(([, r]) => r), [1, null, null, '2', null, 1, '3']);

    assert.equal(await a.mset('m1', 'x', 'm2', 'y'), 'OK');
    assert.deepEqual(await b.mget('m1', 'missing', 'm2'), ['x', null, 'y']);
    assert.equal(await a.exists('m1', 'm2', 'missing', 'm1'), 3);
    assert.equal(await a.del('m1', 'missing'), 1);
    assert.equal(await b.get('m1'), null);
    assert.equal(await a.set('nx', '1', 'NX'), 'OK');
    assert.equal(await a.set('nx', '2', 'NX'), null);
    assert.equal(await a.set('nx', '3', 'XX', 'GET'), '1');
    assert.equal(await a.getdel('nx'), '3');
    assert.equal(await a.type('nx'), 'none');
    assert.equal(await a.type('user:1000'), 'string');

    await assert.rejects(a.call('NOSUCH', 'x'), /ERR unknown command 'NOSUCH', with args beginning with: 'x'/);
    await assert.rejects(a.call('HELLO', '4'), /NOPROTO unsupported protocol version/);
    await assert.rejects(a.auth('secret'), /called without any password configured for the default user/);
    assert.equal(await a.ping(), 'PONG', 'errors never close the connection');
    assert.match(await a.info(), /loading:0[\s\S]*# Cluster\r\ncluster_enabled:0\r\ndynamo_node:n1/);
  } finally {
    a.disconnect();
    b.disconnect();
  }
});

test('siblings: the port bucket is lww; in a siblings bucket GET refuses to pick, GETALL shows all, PUT with the context merges', async () => {
  const redis = new Redis({ host: HOST, port: cluster.respPort(1) });
  try {
    await redis.set('lww-check', '1');
    const props = (await (await fetch(`${cluster.url(1)}/buckets/redis`)).json()) as { props: { conflict: string } };
    assert.equal(props.props.conflict, 'lww', 'the RESP bucket was made lww on first use');

    const made = await fetch(`${cluster.url(1)}/buckets/sib`, { method: 'PUT', body: JSON.stringify({ conflict: 'siblings' }) });
    assert.ok(made.ok);
    assert.equal((await kv(cluster.url(2), 'PUT', '/kv/sib/doc', 'left')).status, 204);
    assert.equal((await kv(cluster.url(3), 'PUT', '/kv/sib/doc', 'right')).status, 204);
    assert.equal(await redis.call('DYNAMO.BUCKET', 'sib'), 'OK');
    assert.equal(await redis.call('DYNAMO.BUCKET'), 'sib');
    await assert.rejects(redis.get('doc'), /CONFLICT 'doc' has 2 siblings/);
    await assert.rejects(redis.mget('doc', 'other'), /CONFLICT 'doc' has 2 siblings/, 'MGET does not pick one either');
    const all = (await redis.call('DYNAMO.GETALL', 'doc')) as string[];
    assert.equal(all.length, 3);
    assert.deepEqual(all.slice(1).sort(), ['left', 'right']);
    const context = await redis.call('DYNAMO.PUT', 'doc', all[0]!, 'left+right');
    assert.equal(typeof context, 'string');
    assert.equal(await redis.get('doc'), 'left+right', 'the merge superseded both siblings');
    assert.equal(await redis.set('doc', 'replaced'), 'OK');
    assert.equal(await redis.get('doc'), 'replaced', 'a SET in a siblings bucket replaces what it read');
    await assert.rejects(redis.call('DYNAMO.PUT', 'doc', 'not-a-context', 'x'), /ERR bad context/);
  } finally {
    redis.disconnect();
  }
});

test('redis-benchmark -t ping,set,get,incr,sadd,mset -n 20000 -c 50 completes with 0 errors (before any node is killed)', async (t) => {
  if (toolsMissing) return t.skip(toolsMissing);
  const out = await run('redis-benchmark', ['-h', HOST, '-p', String(cluster.respPort(1)), '-t', 'ping,set,get,incr,sadd,mset', '-n', '20000', '-c', '50', '--csv']);
  assert.equal(out.code, 0, out.stderr);
  assert.doesNotMatch(out.stdout + out.stderr, /Error from server/, 'redis-benchmark stops at the first error reply');
  t.diagnostic(out.stdout.trim());
  const rows = out.stdout.trim().split('\n').slice(1).map((line) => line.split(',')[0]!.replace(/"/g, ''));
  assert.deepEqual(rows, ['PING_INLINE', 'PING_MBULK', 'SET', 'GET', 'INCR', 'SADD', 'MSET (10 keys)']);
});

test('counters: INCR/DECR/INCRBY/DECRBY on redis-counters; concurrent INCRs from connections to every node are all counted', async () => {
  const clients = Array.from({ length: 6 }, (_, i) => new Redis({ host: HOST, port: cluster.respPort((i % 3) + 1) }));
  try {
    const a = clients[0]!;
    assert.equal(await a.incr('c:basic'), 1, 'INCR works with no setup: the counter bucket is made on first use');
    assert.equal(await a.incrby('c:basic', 41), 42);
    assert.equal(await a.decr('c:basic'), 41);
    assert.equal(await a.decrby('c:basic', 11), 30);
    await assert.rejects(a.incrby('c:basic', 'x' as unknown as number), /ERR value is not an integer or out of range/);
    assert.equal(await a.type('c:basic'), 'string', 'a counter is a string to Redis clients');
    const props = (await (await fetch(`${cluster.url(2)}/buckets/redis-counters`)).json()) as { props: { type: string } };
    assert.equal(props.props.type, 'counter');

    const perClient = 50;
    const replies = await Promise.all(clients.flatMap((c) => Array.from({ length: perClient }, () => c.incr('c:hits'))));
    assert.ok(replies.every((r) => Number.isSafeInteger(r) && r >= 1 && r <= clients.length * perClient), 'each INCR answers a total');
    const total = clients.length * perClient;
    const read = await kv(cluster.url(3), 'GET', '/kv/redis-counters/c:hits?r=3');
    assert.deepEqual(JSON.parse(read.body.toString()), { value: total }, 'no increment lost (a read of every replica)');
    await waitFor(async () => (await a.incrby('c:hits', 0)) === total, 30_000, 'INCRBY 0 through a node shows the whole total');

    assert.equal(await a.set('c:plain', 'text'), 'OK');
    assert.equal(await a.call('DYNAMO.BUCKET', 'redis-counters'), 'OK');
    await assert.rejects(a.set('c:plain', 'x'), /^ReplyError: WRONGTYPE Operation against a key holding the wrong kind of value/, 'a SET in a counter bucket');
    await a.call('DYNAMO.BUCKET', 'redis');
  } finally {
    for (const c of clients) c.disconnect();
  }
});

test('sets: SADD from two nodes at once keeps both; SREM, SMEMBERS, SISMEMBER, SCARD, TYPE', async () => {
  const a = new Redis({ host: HOST, port: cluster.respPort(1) });
  const b = new Redis({ host: HOST, port: cluster.respPort(2) });
  try {
    const [fromA, fromB] = await Promise.all([a.sadd('s:team', 'ada', 'bob'), b.sadd('s:team', 'cy', 'bob')]);
    assert.ok(fromA >= 1 && fromB >= 1 && fromA + fromB >= 3, `SADD answers the members new to its coordinator (${fromA}, ${fromB})`);
    assert.deepEqual(await a.smembers('s:team'), ['ada', 'bob', 'cy'], 'the adds through both nodes are merged');
    assert.deepEqual(await b.smembers('s:team'), ['ada', 'bob', 'cy']);
    assert.equal(await a.scard('s:team'), 3);
    assert.equal(await b.sismember('s:team', 'cy'), 1);
    assert.equal(await b.sismember('s:team', 'dan'), 0);
    assert.equal(await a.srem('s:team', 'bob', 'nobody'), 1);
    assert.equal(await a.srem('s:team', 'nobody'), 0);
    assert.deepEqual(await b.smembers('s:team'), ['ada', 'cy']);
    assert.equal(await b.sadd('s:team', 'bob'), 1, 'a removed member can be added again');
    assert.equal(await a.scard('s:team'), 3);
    assert.deepEqual(await a.smembers('s:none'), [], 'a missing set is empty');
    assert.equal(await a.scard('s:none'), 0);
    assert.equal(await a.type('s:team'), 'set');
    assert.equal(await a.type('s:none'), 'none');
    assert.equal(await a.exists('s:team'), 0, 'EXISTS counts the kv bucket\'s strings only (documented)');
    await assert.rejects(a.sadd('s:team', Buffer.from([0xff, 0xfe])), /ERR set members must be UTF-8 text/);
  } finally {
    a.disconnect();
    b.disconnect();
  }
});

test('expiry: EXPIRE then TTL then the key gone; PEXPIRE, PTTL, PERSIST, SET EX/PX/KEEPTTL, EXPIRE NX/XX', async () => {
  const a = new Redis({ host: HOST, port: cluster.respPort(1) });
  const b = new Redis({ host: HOST, port: cluster.respPort(3) });
  try {
    assert.equal(await a.set('e:k', 'v'), 'OK');
    assert.equal(await a.ttl('e:k'), -1, 'no expiry yet');
    assert.equal(await a.ttl('e:missing'), -2);
    assert.equal(await a.expire('e:missing', 10), 0, 'EXPIRE of a missing key changes nothing');
    assert.equal(await a.expire('e:k', 100), 1);
    const left = await b.ttl('e:k');
    assert.ok(left >= 98 && left <= 100, `TTL through another node: ${left}`);
    const leftMs = await b.pttl('e:k');
    assert.ok(leftMs > 97_000 && leftMs <= 100_000, `PTTL: ${leftMs}`);
    assert.equal(await a.call('EXPIRE', 'e:k', '5', 'NX'), 0, 'NX: it already has one');
    assert.equal(await a.call('EXPIRE', 'e:k', '500', 'GT'), 1);
    assert.equal(await a.persist('e:k'), 1);
    assert.equal(await a.ttl('e:k'), -1, 'PERSIST removed the expiry');
    assert.equal(await a.persist('e:k'), 0, 'nothing left to remove');
    assert.equal(await a.get('e:k'), 'v', 'the value stayed through every change of its expiry');
    assert.equal(await a.pexpire('e:k', 1500), 1);
    await waitFor(async () => (await b.get('e:k')) === null, 30_000, 'the expired key is gone');
    assert.equal(await b.ttl('e:k'), -2);

    assert.equal(await a.set('e:px', 'v', 'PX', 800), 'OK');
    const pxLeft = await a.pttl('e:px');
    assert.ok(pxLeft > 0 && pxLeft <= 800, `SET PX: ${pxLeft}`);
    assert.equal(await a.set('e:ex', 'v', 'EX', 1000), 'OK');
    assert.equal(await a.set('e:ex', 'w', 'KEEPTTL'), 'OK');
    const kept = await a.ttl('e:ex');
    assert.ok(kept > 990 && kept <= 1000, `KEEPTTL kept it: ${kept}`);
    assert.equal(await a.get('e:ex'), 'w');
    assert.equal(await a.set('e:ex', 'x'), 'OK');
    assert.equal(await a.ttl('e:ex'), -1, 'a plain SET drops the expiry, as in Redis');
    assert.equal(await a.expire('e:ex', 0), 1, 'EXPIRE 0 deletes');
    assert.equal(await a.exists('e:ex'), 0);
    await waitFor(async () => (await a.get('e:px')) === null, 30_000, 'SET PX expired');
    await assert.rejects(a.call('EXPIRE', 'e:k', 'soon'), /ERR value is not an integer or out of range/);
    await assert.rejects(a.call('EXPIRE', 'e:k', '5', 'SOMETIMES'), /ERR Unsupported option SOMETIMES/);
  } finally {
    a.disconnect();
    b.disconnect();
  }
});

test('SCAN over a few thousand keys of all three buckets returns each at least once; MATCH, COUNT and TYPE', async () => {
  const a = new Redis({ host: HOST, port: cluster.respPort(2) });
  try {
    const count = 3000;
    const pipeline = a.pipeline();
    for (let i = 0; i < count; i++) pipeline.set(`scan:${i}`, String(i));
    pipeline.incr('scan:counter');
    pipeline.sadd('scan:set', 'm');
    const results = await pipeline.exec();
    assert.ok(results !== null && results.every(([err]) => err === null));

    const seen = new Set<string>();
    let cursor = '0';
    let pages = 0;
    do {
      const [next, keys] = (await a.scan(cursor, 'COUNT', 500)) as [string, string[]];
      for (const k of keys) seen.add(k);
      cursor = next;
      pages++;
      assert.ok(pages < 1000, 'the scan ends');
    } while (cursor !== '0');
    for (let i = 0; i < count; i++) assert.ok(seen.has(`scan:${i}`), `scan:${i} was returned`);
    assert.ok(seen.has('scan:counter') && seen.has('scan:set'), 'the counter and the set are listed too');

    const matched = new Set<string>();
    await new Promise<void>((done, fail) => {
      const stream = a.scanStream({ match: 'scan:1??', count: 1000 });
      stream.on('data', (keys: string[]) => keys.forEach((k) => matched.add(k)));
      stream.on('end', () => done());
      stream.on('error', fail);
    });
    assert.deepEqual([...matched].sort(), Array.from({ length: 100 }, (_, i) => `scan:${100 + i}`).sort(), 'MATCH through ioredis\'s scanStream');

    const sets = new Set<string>();
    cursor = '0';
    do {
      const [next, keys] = (await a.scan(cursor, 'COUNT', 1000, 'TYPE', 'set')) as [string, string[]];
      keys.forEach((k) => sets.add(k));
      cursor = next;
    } while (cursor !== '0');
    assert.ok(sets.has('scan:set') && !sets.has('scan:0') && !sets.has('scan:counter'), 'TYPE set lists the set bucket only');
    assert.deepEqual(await a.scan('0', 'TYPE', 'hash'), ['0', []]);
    await assert.rejects(a.scan('zzz'), /ERR invalid cursor/);
    await assert.rejects(a.scan('0', 'COUNT', 0), /ERR syntax error/);
  } finally {
    a.disconnect();
  }
});

test('ioredis reconnects after its node is killed and restarted, and sees what was written meanwhile', async () => {
  const a = new Redis({ host: HOST, port: cluster.respPort(3), retryStrategy: () => 200, maxRetriesPerRequest: null });
  const b = new Redis({ host: HOST, port: cluster.respPort(2) });
  a.on('error', () => undefined); // the refused reconnects while the node is down
  try {
    assert.equal(await a.set('before-kill', '1'), 'OK');
    await cluster.kill(3);
    await waitFor(async () => a.status !== 'ready', 10_000, 'ioredis sees its node gone');
    assert.equal(await b.set('during-kill', '2'), 'OK', 'the other nodes take writes meanwhile');
    cluster.start(3);
    await cluster.waitFormed(60_000);
    assert.equal(await a.get('during-kill'), '2', 'the queued command ran once the client reconnected');
    assert.equal(await a.get('before-kill'), '1');
  } finally {
    a.disconnect();
    b.disconnect();
  }
});

test('SCAN goes on through a node killed between pages: a failed page is retried with the same cursor, no key is skipped', async () => {
  const a = new Redis({ host: HOST, port: cluster.respPort(1) });
  try {
    const seen = new Set<string>();
    let [cursor, keys] = (await a.scan('0', 'COUNT', 300)) as [string, string[]];
    keys.forEach((k) => seen.add(k));
    await cluster.kill(2);
    let pages = 0;
    let refusals = 0;
    while (cursor !== '0') {
      assert.ok(pages++ < 2000, 'the scan ends');
      try {
        [cursor, keys] = (await a.scan(cursor, 'COUNT', 300)) as [string, string[]];
        keys.forEach((k) => seen.add(k));
      } catch (err) {
        assert.match(String(err), /UNAVAILABLE|QUORUM|OVERLOADED/, 'a page that cannot be listed now is refused, not cut short');
        refusals++;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    for (let i = 0; i < 3000; i++) assert.ok(seen.has(`scan:${i}`), `scan:${i} was returned (${refusals} pages retried)`);
  } finally {
    a.disconnect();
    cluster.start(2);
    await cluster.waitFormed(60_000);
  }
});

for (const resp of [3, 2] as const) {
  test(`node-redis (RESP${resp}): connect, auto-pipelined commands, MGET, CLIENT SETNAME/GETNAME`, async () => {
    await nodeRedisSession(resp);
  });
}

async function nodeRedisSession(resp: 2 | 3): Promise<void> {
  const client = createClient({ RESP: resp, socket: { host: HOST, port: cluster.respPort(2), reconnectStrategy: false } });
  const errors: string[] = [];
  client.on('error', (e: Error) => errors.push(e.message));
  await client.connect();
  try {
    const writes = await Promise.all(Array.from({ length: 100 }, (_, i) => client.set(`nr:${i}`, String(i))));
    assert.ok(writes.every((w) => w === 'OK'));
    const reads = await Promise.all(Array.from({ length: 100 }, (_, i) => client.get(`nr:${i}`)));
    assert.deepEqual(reads, Array.from({ length: 100 }, (_, i) => String(i)));
    assert.deepEqual(await client.mGet(['nr:1', 'nr:none']), ['1', null]);
    assert.equal(await client.sendCommand(['CLIENT', 'SETNAME', 'tester']), 'OK');
    assert.equal(await client.sendCommand(['CLIENT', 'GETNAME']), 'tester');
    const keys = await client.dbSize();
    assert.ok(Number.isSafeInteger(keys) && keys >= 0, 'DBSIZE answers an estimate');
    assert.deepEqual(await client.configGet('save'), { save: '' });
    assert.equal(await client.get('nr:none'), null);
    assert.deepEqual(errors, []);
  } finally {
    client.destroy();
  }
}

test('garbage, oversize arrays and inline commands: Redis error replies, the node stays up', async () => {
  const port = cluster.respPort(1);
  const inline = await raw(port, 'PING\r\nSET "inline key" \'v\'\r\nGET "inline key"\r\nQUIT\r\n');
  assert.equal(inline.text, '+PONG\r\n+OK\r\n$1\r\nv\r\n+OK\r\n', 'inline commands, then QUIT closes');
  assert.ok(inline.closed);
  const huge = await raw(port, '*99999999\r\n');
  assert.equal(huge.text, '-ERR Protocol error: invalid multibulk length\r\n');
  assert.ok(huge.closed, 'a protocol error closes the connection, as in Redis');
  const pipelinedThenBad = await raw(port, '*1\r\n$4\r\nPING\r\n*1\r\nGET\r\n');
  assert.equal(pipelinedThenBad.text, "+PONG\r\n-ERR Protocol error: expected '$', got 'G'\r\n", 'replies before the error still come');
  const tooBig = await raw(port, `*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${2 * 1024 * 1024}\r\n${'x'.repeat(2 * 1024 * 1024)}\r\n*1\r\n$4\r\nPING\r\n`, 3000);
  assert.equal(tooBig.text, '-ERR argument of 2097152 bytes is over the limit of 1048576 bytes (--max-value-bytes)\r\n+PONG\r\n');
  assert.ok(!tooBig.closed, 'a value over the limit is refused, the connection goes on');
  const auth = await raw(port, 'AUTH default anything\r\nAUTH bob secret\r\nHELLO 2 AUTH bob secret\r\nCLIENT SETNAME "a b"\r\nSELECT x\r\nQUIT\r\n');
  assert.equal(
    auth.text,
    '+OK\r\n-WRONGPASS invalid username-password pair or user is disabled.\r\n-WRONGPASS invalid username-password pair or user is disabled.\r\n' +
      '-ERR Client names cannot contain spaces, newlines or special characters.\r\n-ERR value is not an integer or out of range\r\n+OK\r\n',
    'AUTH as a Redis whose default user has no password',
  );
  const hello3 = await raw(port, 'HELLO 3\r\nQUIT\r\n');
  assert.match(hello3.text, /^%7\r\n\$6\r\nserver\r\n\$5\r\nredis\r\n[\s\S]*\$5\r\nproto\r\n:3\r\n/, 'HELLO 3 answers a RESP3 map');
  const unknown = await raw(port, '*2\r\n$3\r\nFOO\r\n$3\r\nbar\r\n*1\r\n$4\r\nPING\r\n', 1500);
  assert.equal(unknown.text, "-ERR unknown command 'FOO', with args beginning with: 'bar' \r\n+PONG\r\n");
  assert.ok(!unknown.closed, 'an unknown command keeps the connection');
  const probe = new Redis({ host: HOST, port });
  try {
    assert.equal(await probe.ping(), 'PONG', 'the node still serves');
  } finally {
    probe.disconnect();
  }
});

test('back-pressure: a pipeline far past the in-flight limit is answered completely and in order', async () => {
  const count = 3000; // SET and GET each, past the 1024 commands a connection may have unanswered
  let request = '';
  let expected = '';
  for (let i = 0; i < count; i++) {
    const value = String(i);
    request += `*3\r\n$3\r\nSET\r\n$${`bp:${i}`.length}\r\nbp:${i}\r\n$${value.length}\r\n${value}\r\n`;
    request += `*2\r\n$3\r\nGET\r\n$${`bp:${i}`.length}\r\nbp:${i}\r\n`;
    expected += `+OK\r\n$${value.length}\r\n${value}\r\n`;
  }
  request += 'QUIT\r\n';
  expected += '+OK\r\n';
  const out = await raw(cluster.respPort(2), request, 60_000);
  assert.ok(out.closed, 'QUIT closed the connection after the last reply');
  assert.equal(out.text.length, expected.length);
  assert.ok(out.text === expected, 'every reply, in command order');
});

test('redis-cli: a scripted session', async (t) => {
  if (toolsMissing) return t.skip(toolsMissing);
  const script = [
    'PING', 'SET cli:greeting hello', 'GET cli:greeting', 'SELECT 0', 'SELECT 1', 'EXISTS cli:greeting nope', 'DEL cli:greeting', 'GET cli:greeting', 'ECHO "two words"', 'DYNAMO.BUCKET',
    'INCRBY cli:n 5', 'DECR cli:n', 'SADD cli:s a b', 'SISMEMBER cli:s b', 'TYPE cli:s', 'SET cli:t v EX 100', 'PERSIST cli:t', 'TTL cli:t', '',
  ].join('\n');
  const out = await run('redis-cli', ['-h', HOST, '-p', String(cluster.respPort(1))], script);
  assert.deepEqual(out.stdout.trim().split('\n'), ['PONG', 'OK', 'hello', 'OK', 'ERR DB index is out of range', '', '1', '1', '', 'two words', 'redis', '5', '4', '2', '1', 'set', 'OK', '1', '-1']);
});

function run(command: string, args: string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}
