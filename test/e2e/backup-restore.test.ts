/**
 * Backup and restore on real processes: siblings, a tombstone and plain keys backed up from a
 * 3-node cluster, restored (twice) into a 5-node cluster with another Q. The siblings come back as
 * siblings with a context that supersedes them, the deleted key stays deleted, a version written in
 * the target after the restore is not overwritten by restoring again, a concurrent one becomes a
 * sibling, bucket properties come along, and a dump with a damaged block restores everything else
 * and says where the damage is.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { kv, ProcessCluster } from './process-cluster.js';
import { DumpReader } from '../../src/backup/dump-reader.js';
import { encodeEntries } from '../../src/backup/entries.js';
import { encodeSiblingSet } from '../../src/core/versions/index.js';

const BIN = resolve(import.meta.dirname, '../../bin/dynamo.js');
const clusters: ProcessCluster[] = [];
/** The restore route takes dump blocks as they are; a body of another type is refused like any cross-site post. */
const OCTETS = { 'content-type': 'application/octet-stream' };
const dir = mkdtempSync(join(tmpdir(), 'dynamo-backup-e2e-'));
after(async () => {
  await Promise.all(clusters.map((c) => c.stop()));
  rmSync(dir, { recursive: true, force: true });
});

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

interface Siblings { context: string; siblings: { value: string }[] }
const siblingValues = (body: Buffer): string[] => (JSON.parse(body.toString()) as Siblings).siblings.map((s) => Buffer.from(s.value, 'base64').toString()).sort();

const PLAIN = 150;
/** cart/bob, cart/dead and lwwb/x. */
const OTHER = 3;

test('a 3-node backup restores into 5 nodes of Q=128 with siblings, context and tombstone intact', { timeout: 240_000 }, async () => {
  const source = new ProcessCluster({ nodes: 3, basePort: 33000 });
  clusters.push(source);
  for (let i = 1; i <= source.options.nodes; i++) source.start(i);
  await source.waitFormed(120_000); // generous: the machine may be loaded
  const [a, b, c] = [source.url(1), source.url(2), source.url(3)];
  assert.equal((await kv(a, 'PUT', '/kv/cart/bob', 'base')).status, 204);
  const ctx = (await kv(b, 'GET', '/kv/cart/bob?r=3')).context!;
  await kv(a, 'PUT', '/kv/cart/bob', 'left', { 'x-dynamo-context': ctx });
  await kv(b, 'PUT', '/kv/cart/bob', 'right', { 'x-dynamo-context': ctx });
  const setup = await kv(c, 'GET', '/kv/cart/bob?r=3');
  assert.equal(setup.status, 300);
  await kv(a, 'PUT', '/kv/cart/dead', 'gone');
  const dctx = (await kv(a, 'GET', '/kv/cart/dead?r=3')).context!;
  assert.equal((await kv(a, 'DELETE', '/kv/cart/dead', undefined, { 'x-dynamo-context': dctx })).status, 204);
  for (let i = 0; i < PLAIN; i++) assert.equal((await kv(a, 'PUT', `/kv/plain/k${i}`, `v${i}`)).status, 204);
  assert.equal((await kv(a, 'PUT', '/buckets/lwwb', JSON.stringify({ conflict: 'lww' }))).status, 200);
  assert.equal((await kv(a, 'PUT', '/kv/lwwb/x', 'last')).status, 204);

  const dump = join(dir, 'cluster.dump');
  const backup = await cli('backup', '--node', a, '--out', dump);
  assert.equal(backup.code, 0, backup.stderr);
  assert.match(backup.stdout, new RegExp(`backup: ${PLAIN + OTHER} keys from 64 partitions`));
  const reader = await DumpReader.open(dump);
  assert.deepEqual([...reader.header.cluster.members].sort(), ['n1', 'n2', 'n3']);
  assert.equal(reader.header.cluster.partitions, 64);
  await reader.close();
  await source.stop();

  const target = new ProcessCluster({ nodes: 5, basePort: 33050, extraArgs: ['--partitions', '128'] });
  clusters.push(target);
  for (let i = 1; i <= target.options.nodes; i++) target.start(i);
  await target.waitFormed(120_000); // generous: the machine may be loaded
  const [t1, t2, t3] = [target.url(1), target.url(2), target.url(3)];
  const ring = await cli('ring', '--node', t1, '--summary');
  assert.equal(ring.code, 0, ring.stderr);
  assert.match(ring.stdout, /^Q=128 partitions, N=3 replicas each$/m);
  const primaries = [...ring.stdout.matchAll(/^n\d\s+up\s+up\s+(\d+)\s+0/gm)].map((x) => Number(x[1]));
  assert.equal(primaries.length, 5);
  assert.equal(primaries.reduce((a, b) => a + b, 0), 128 * 3, 'every partition replica held by one member');
  // Written in the target before the restore: concurrent with the dumped version of plain/k1.
  assert.equal((await kv(t1, 'PUT', '/kv/plain/k1', 'target-side')).status, 204);

  for (let round = 1; round <= 2; round++) {
    const r = await cli('restore', '--node', t2, '--in', dump);
    assert.equal(r.code, 0, `round ${round}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`restore: ${PLAIN + OTHER} keys merged`));
    assert.match(r.stdout, /1 bucket properties set/);
    if (round === 1) {
      for (let i = 1; i <= 5; i++) {
        const props = JSON.parse((await kv(target.url(i), 'GET', '/buckets/lwwb')).body.toString()) as { props: { conflict: string } };
        assert.equal(props.props.conflict, 'lww', `n${i} holds the restored bucket properties`);
      }
      // After the first restore, plain/k2 is overwritten with the restored context: the second restore must not undo that.
      const k2 = await kv(t3, 'GET', '/kv/plain/k2?r=3');
      assert.equal(k2.body.toString(), 'v2');
      assert.equal((await kv(t1, 'PUT', '/kv/plain/k2', 'newer', { 'x-dynamo-context': k2.context! })).status, 204);
    }
  }

  const bob = await kv(t3, 'GET', '/kv/cart/bob?r=3');
  assert.equal(bob.status, 300);
  assert.deepEqual(siblingValues(bob.body), ['left', 'right']);
  const sctx = (JSON.parse(bob.body.toString()) as Siblings).context;
  assert.equal((await kv(t1, 'PUT', '/kv/cart/bob', 'merged', { 'x-dynamo-context': sctx })).status, 204);
  const merged = await kv(t2, 'GET', '/kv/cart/bob?r=3');
  assert.equal(merged.status, 200, 'the restored context supersedes the restored siblings');
  assert.equal(merged.body.toString(), 'merged');
  assert.equal((await kv(t2, 'GET', '/kv/cart/dead?r=3')).status, 404, 'the tombstone is kept');
  const k2 = await kv(t2, 'GET', '/kv/plain/k2?r=3');
  assert.equal(k2.status, 200);
  assert.equal(k2.body.toString(), 'newer', 'restoring again does not overwrite a newer version');
  const k1 = await kv(t2, 'GET', '/kv/plain/k1?r=3');
  assert.equal(k1.status, 300, 'a concurrent version becomes a sibling');
  assert.deepEqual(siblingValues(k1.body), ['target-side', 'v1']);
  let missing = 0;
  for (let i = 3; i < PLAIN; i++) {
    const res = await kv(target.url(1 + (i % 5)), 'GET', `/kv/plain/k${i}`);
    if (res.status !== 200 || res.body.toString() !== `v${i}`) missing++;
  }
  assert.equal(missing, 0);

  // A damaged block: reported with its offset, the rest restored.
  const r = await DumpReader.open(dump);
  const blocks: { offset: number; count: number; payload: number }[] = [];
  for await (const item of r.items()) if (item.kind === 'block') blocks.push({ offset: item.offset, count: item.count, payload: item.payload.length });
  await r.close();
  const victim = blocks.find((x) => x.count > 0 && x.offset > blocks[0]!.offset)!;
  const bytes = readFileSync(dump);
  bytes[victim.offset + 48 + Math.floor(victim.payload / 2)]! ^= 0x5a;
  const damaged = join(dir, 'damaged.dump');
  writeFileSync(damaged, bytes);
  const partial = await cli('restore', '--node', t1, '--in', damaged);
  assert.equal(partial.code, 2, 'a partial restore says so in its exit code');
  assert.match(partial.stderr, new RegExp(`corrupt block #\\d+ at byte ${victim.offset}: checksum mismatch`));
  assert.match(partial.stdout, new RegExp(`restore: ${PLAIN + OTHER - victim.count} keys merged .* 1 corrupt blocks skipped`));

  // A node that hangs (SIGSTOP, its connections open): writes to it time out, the restore sends
  // those keys again, and they go through once the node is seen down (fallbacks hold them).
  target.freeze(5, true);
  try {
    const hung = await cli('restore', '--node', t1, '--in', dump, '--w', '3', '--no-bucket-props');
    assert.equal(hung.code, 0, hung.stderr);
    assert.match(hung.stdout, new RegExp(`restore: ${PLAIN + OTHER} keys merged`));
  } finally {
    target.freeze(5, false);
  }

  // The restore route validates in depth: a run that does not frame is refused whole, a set that
  // breaks the version invariants is refused alone and nothing of it is stored.
  const garbage = await fetch(`${t1}/admin/restore`, { method: 'POST', headers: OCTETS, body: Buffer.from([0, 5, 1, 2]) });
  assert.equal(garbage.status, 400);
  assert.match(((await garbage.json()) as { error: string }).error, /malformed restore run at byte 0/);
  const unsorted = encodeSiblingSet({ entries: [{ node: 'z', counter: 1, timestampMs: 1, values: [] }, { node: 'a', counter: 1, timestampMs: 1, values: [{ data: Buffer.from('x'), timestampMs: 1 }] }], anonymous: [] });
  const run = encodeEntries([{ bucket: 'evil', key: 'k', set: unsorted }, { bucket: 'fine', key: 'k', set: encodeSiblingSet({ entries: [{ node: 'a', counter: 1, timestampMs: 1, values: [{ data: Buffer.from('ok'), timestampMs: 1 }] }], anonymous: [] }) }]);
  const res = await fetch(`${t1}/admin/restore`, { method: 'POST', headers: OCTETS, body: run });
  assert.equal(res.status, 200);
  const answer = (await res.json()) as { merged: number; failed: { bucket: string; error: string }[] };
  assert.equal(answer.merged, 1);
  assert.deepEqual(answer.failed.map((f) => f.bucket), ['evil']);
  assert.match(answer.failed[0]!.error, /not sorted/);
  assert.equal((await kv(t2, 'GET', '/kv/evil/k?r=3')).status, 404);
  assert.equal((await kv(t2, 'GET', '/kv/fine/k?r=3')).body.toString(), 'ok');
});
