/**
 * `dynamo backup`: a logical dump of every key's whole stored sibling set, partition by partition.
 * Each partition is read from every replica of it that is up (the ring of the node named on the
 * command line says which) and the copies are merged with the versions' sync, so a replica that
 * missed a write loses nothing from the dump; a partition that no replica could serve is reported
 * and the backup fails. Reads are paced (`rateKeysPerSec`) so the cluster serves on meanwhile.
 */
import { decodeSiblingSet, encodeSiblingSet, sync, type SiblingSet } from '../core/versions/index.js';
import { adminFetchRetrying, adminJson, RateLimit } from './admin-http.js';
import { DumpWriter } from './dump-writer.js';
import { decodeRawEntries, type RawEntry } from './entries.js';

export interface RingInfo {
  readonly partitions: number;
  readonly replicas: number;
  readonly owners: string[][];
  readonly members: { id: string; httpAddress: string; up: boolean }[];
  readonly version: string;
}

export interface BackupOptions {
  readonly node: string;
  readonly out: string;
  readonly buckets: readonly string[] | null;
  readonly rateKeysPerSec: number;
  readonly pageKeys: number;
  readonly progress: (done: { partition: number; partitions: number; keys: number }) => void;
  readonly warn: (message: string) => void;
}

export interface BackupReport {
  readonly keys: number;
  readonly blocks: number;
  readonly partitions: number;
  readonly failedPartitions: number[];
  readonly unreadableSets: number;
}

export async function runBackup(o: BackupOptions): Promise<BackupReport> {
  const ring = await adminJson<RingInfo>(`${o.node}/ring`);
  const scheme = new URL(o.node).protocol;
  const urlOf = new Map(ring.members.map((m) => [m.id, `${scheme}//${m.httpAddress}`]));
  const up = new Set(ring.members.filter((m) => m.up).map((m) => m.id));
  const allProps = (await adminJson<{ buckets: Record<string, unknown> }>(`${o.node}/admin/backup/buckets`)).buckets;
  const bucketProps = Object.fromEntries(Object.entries(allProps).filter(([name]) => o.buckets === null || o.buckets.includes(name)));
  const writer = await DumpWriter.open(o.out, {
    format: 1,
    createdAt: new Date().toISOString(),
    cluster: { members: ring.members.map((m) => m.id), partitions: ring.partitions, replicas: ring.replicas, ringVersion: ring.version },
    source: o.node,
    buckets: o.buckets,
    bucketProps,
  });
  const rate = new RateLimit(o.rateKeysPerSec);
  const failedPartitions: number[] = [];
  let unreadableSets = 0;
  for (let p = 0; p < ring.partitions; p++) {
    const merged = new Map<string, { bucket: string; key: string; set: SiblingSet }>();
    let served = 0;
    for (const owner of ring.owners[p] ?? []) {
      const url = urlOf.get(owner);
      if (url === undefined || !up.has(owner)) continue;
      try {
        unreadableSets += await readReplica(url, p, o, rate, merged);
        served++;
      } catch (err) {
        o.warn(`partition ${p}: replica ${owner} (${url}) could not be read: ${(err as Error).message}`);
      }
    }
    if (served === 0) {
      failedPartitions.push(p);
      o.warn(`partition ${p}: no replica of it could be read; it is missing from the backup`);
    }
    const entries: RawEntry[] = [...merged.values()].map((e) => ({ bucket: e.bucket, key: e.key, set: encodeSiblingSet(e.set) }));
    await writer.writePartition(p, entries);
    o.progress({ partition: p + 1, partitions: ring.partitions, keys: writer.totals.entries });
  }
  await writer.close();
  return { keys: writer.totals.entries, blocks: writer.totals.blocks, partitions: ring.partitions, failedPartitions, unreadableSets };
}

/** Pages through one replica's copy of a partition, merging each set into `merged`; returns the sets it could not decode. */
async function readReplica(url: string, partition: number, o: BackupOptions, rate: RateLimit, merged: Map<string, { bucket: string; key: string; set: SiblingSet }>): Promise<number> {
  let after: string | null = null;
  let unreadable = 0;
  for (;;) {
    const query = new URLSearchParams({ limit: String(o.pageKeys) });
    if (after !== null) query.set('after', after);
    if (o.buckets !== null) query.set('buckets', o.buckets.join(','));
    const res = await adminFetchRetrying(`${url}/admin/backup/partition/${partition}?${query}`);
    if (res.status !== 200) throw new Error(`${res.status} ${res.body.toString('utf8').slice(0, 200)}`);
    const page = decodeRawEntries(res.body, Number.MAX_SAFE_INTEGER);
    for (const e of page) {
      let set: SiblingSet;
      try {
        set = decodeSiblingSet(e.set);
      } catch (err) {
        unreadable++;
        o.warn(`${e.bucket}/${e.key} on ${url}: unreadable set, left out: ${(err as Error).message}`);
        continue;
      }
      const id = `${e.bucket}\u0000${e.key}`;
      const had = merged.get(id);
      merged.set(id, { bucket: e.bucket, key: e.key, set: had === undefined ? set : sync(had.set, set) });
    }
    await rate.take(page.length);
    after = res.headers.get('x-dynamo-next');
    if (after === null) return unreadable;
  }
}
