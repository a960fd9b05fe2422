/**
 * dev-cluster serves the Redis protocol on BASE+300+i and prints it in its ready line, and refuses
 * --resp-port after `--` (it sets that per node itself); --resp-bucket after `--` reaches every
 * node, and a bucket whose properties were set before its first Redis command keeps them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import { ownNodeOption } from '../../src/cli/dev-cluster.js';

const BIN = resolve(import.meta.dirname, '../../bin/dynamo.js');
const BASE = 32_400; // all its ports (up to BASE+303) stay below the ephemeral range, which starts at 32768
const dataRoot = mkdtempSync(join(tmpdir(), 'dynamo-resp-dev-cluster-'));
let child: ChildProcess | undefined;

after(async () => {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dataRoot, { recursive: true, force: true });
});

test('dev-cluster sets --resp-port itself', () => {
  assert.equal(ownNodeOption(['--resp-port', '6379']), '--resp-port');
});

test('dev-cluster prints each node\'s Redis port, BASE+300+i, every one serves, and a bucket set beforehand keeps its mode', { timeout: 90_000 }, async () => {
  child = spawn(process.execPath, [BIN, 'dev-cluster', '--nodes', '3', '--base-port', String(BASE), '--storage', 'memory', '--data', dataRoot, '--', '--resp-bucket', 'preset'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((done) => {
    const collect = (d: Buffer): void => {
      output += d.toString();
      if (output.includes('stop with Ctrl-C')) done();
    };
    child!.stdout!.on('data', collect);
    child!.stderr!.on('data', collect);
    child!.once('exit', () => done());
  });
  for (let i = 1; i <= 3; i++) {
    assert.match(output, new RegExp(`node${i}  http://127\\.0\\.0\\.1:${BASE + 100 + i} .* redis 127\\.0\\.0\\.1:${BASE + 300 + i}`), output);
  }
  // Properties someone set before the first Redis command are kept: the port does not make it lww.
  const bucketUrl = `http://127.0.0.1:${BASE + 101}/buckets/preset`;
  assert.ok((await fetch(bucketUrl, { method: 'PUT', body: JSON.stringify({ conflict: 'siblings' }) })).ok);
  const clients = [1, 2, 3].map((i) => new Redis({ host: '127.0.0.1', port: BASE + 300 + i }));
  try {
    assert.equal(await clients[0]!.call('DYNAMO.BUCKET'), 'preset', '--resp-bucket reached every node');
    assert.equal(await clients[0]!.set('dev', 'cluster'), 'OK');
    for (const client of clients) assert.equal(await client.get('dev'), 'cluster');
    const props = (await (await fetch(bucketUrl)).json()) as { props: { conflict: string } };
    assert.equal(props.props.conflict, 'siblings');
  } finally {
    for (const client of clients) client.disconnect();
  }
});
