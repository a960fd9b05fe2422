/**
 * `dynamo restore`: reads a backup block by block and hands each block's entries to one node of
 * the target cluster (POST /admin/restore), which merges every set into the key's current
 * replicas as a replica write would. The target may have any size and ring shape: placement is
 * computed there, per key. Merging is idempotent, so a block whose answer was lost is simply sent
 * again, and restoring the same file twice changes nothing. A block that fails its checksum is
 * reported with its byte offset and skipped; the rest is restored.
 */
import { adminFetch, adminFetchRetrying, adminJson, RateLimit } from './admin-http.js';
import type { RingInfo } from './backup.js';
import { DumpReader } from './dump-reader.js';
import type { DumpHeader } from './dump-format.js';
import { decodeRawEntries, encodeEntries, EntryDecodeError, type RawEntry } from './entries.js';

export interface RestoreOptions {
  readonly node: string;
  readonly in: string;
  readonly w: number | null;
  readonly rateKeysPerSec: number;
  /** Set the dump's bucket properties on the target first (default true). */
  readonly bucketProps: boolean;
  readonly progress: (done: { blocks: number; keys: number }) => void;
  readonly warn: (message: string) => void;
}

export interface RestoreReport {
  readonly header: DumpHeader;
  readonly merged: number;
  readonly failed: number;
  readonly corruptBlocks: { index: number; offset: number; reason: string }[];
  readonly complete: boolean;
  readonly bucketsSet: number;
}

interface RestoreAnswer {
  merged: number;
  failed: { bucket: string; key: string; error: string }[];
}

/** Errors of a key that may pass when sent again (merging twice is harmless): the cluster was busy or a replica slow. */
const RETRYABLE = /^(quorum_failed|overloaded|unavailable):/;
const KEY_RETRIES = 3;

/** Posts one block; keys that failed for a passing reason are sent again, up to KEY_RETRIES times. */
async function restoreBlock(url: string, entries: readonly RawEntry[], payload: Buffer): Promise<RestoreAnswer> {
  let merged = 0;
  let body = payload;
  let pending = entries;
  const permanent: RestoreAnswer['failed'] = [];
  for (let attempt = 0; ; attempt++) {
    const res = await adminFetchRetrying(url, { method: 'POST', body, timeoutMs: 120_000 });
    if (res.status !== 200) throw new Error(`${url}: ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
    const answer = JSON.parse(res.body.toString('utf8')) as RestoreAnswer;
    merged += answer.merged;
    const passing = answer.failed.filter((f) => RETRYABLE.test(f.error));
    permanent.push(...answer.failed.filter((f) => !RETRYABLE.test(f.error)));
    if (passing.length === 0 || attempt >= KEY_RETRIES) return { merged, failed: [...permanent, ...passing] };
    const again = new Set(passing.map((f) => `${f.bucket}\u0000${f.key}`));
    pending = pending.filter((e) => again.has(`${e.bucket}\u0000${e.key}`));
    body = encodeEntries(pending);
    await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
  }
}

/**
 * Sets the dump's bucket properties on the target (before any key: a bucket's conflict mode
 * decides how its replicas merge) and waits until every member holds them, as gossip spreads them.
 * Returns how many were set; a bucket the target refuses (its type is fixed, say) is reported.
 */
async function setBucketProps(o: RestoreOptions, props: Readonly<Record<string, unknown>>): Promise<number> {
  let set = 0;
  for (const [bucket, value] of Object.entries(props)) {
    const res = await adminFetchRetrying(`${o.node}/buckets/${encodeURIComponent(bucket)}`, { method: 'PUT', body: Buffer.from(JSON.stringify(value)) });
    if (res.status === 200) set++;
    else o.warn(`bucket ${bucket}: the target refused its properties (${res.status} ${res.body.toString('utf8').slice(0, 200)}); its keys are restored with the target's`);
  }
  if (set === 0) return 0;
  const ring = await adminJson<RingInfo>(`${o.node}/ring`);
  const scheme = new URL(o.node).protocol;
  const deadline = Date.now() + BUCKET_SPREAD_WAIT_MS;
  for (const m of ring.members.filter((x) => x.up)) {
    for (const [bucket, value] of Object.entries(props)) {
      for (;;) {
        const got = await adminFetch(`${scheme}//${m.httpAddress}/buckets/${encodeURIComponent(bucket)}`, { timeoutMs: 2000 }).catch(() => null);
        const held = got?.status === 200 ? (JSON.parse(got.body.toString('utf8')) as { props?: Record<string, unknown> }).props : undefined;
        if (held !== undefined && Object.entries(value as Record<string, unknown>).every(([k, v]) => JSON.stringify(held[k]) === JSON.stringify(v))) break;
        if (Date.now() > deadline) {
          o.warn(`bucket ${bucket}: ${m.id} does not hold the restored properties yet; restoring anyway`);
          break;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }
  return set;
}

/** How long restore waits for bucket properties to reach every member before it goes on. */
const BUCKET_SPREAD_WAIT_MS = 30_000;

export async function runRestore(o: RestoreOptions): Promise<RestoreReport> {
  const reader = await DumpReader.open(o.in);
  const rate = new RateLimit(o.rateKeysPerSec);
  const corruptBlocks: RestoreReport['corruptBlocks'] = [];
  let merged = 0;
  let failed = 0;
  let blocks = 0;
  let complete = false;
  const url = `${o.node}/admin/restore${o.w === null ? '' : `?w=${o.w}`}`;
  let bucketsSet = 0;
  try {
    if (o.bucketProps) bucketsSet = await setBucketProps(o, reader.header.bucketProps ?? {});
    for await (const item of reader.items()) {
      if (item.kind === 'end') {
        complete = true;
        if (item.blocks !== blocks + corruptBlocks.length && corruptBlocks.length === 0) o.warn(`the end record counts ${item.blocks} blocks, the file held ${blocks}`);
        continue;
      }
      if (item.kind === 'corrupt') {
        corruptBlocks.push({ index: item.index, offset: item.offset, reason: item.reason });
        o.warn(`corrupt block #${item.index} at byte ${item.offset}: ${item.reason}; skipped, restoring the rest`);
        continue;
      }
      let entries: RawEntry[];
      try {
        entries = decodeRawEntries(item.payload, item.count);
      } catch (err) {
        if (!(err instanceof EntryDecodeError)) throw err;
        corruptBlocks.push({ index: item.index, offset: item.offset, reason: err.message });
        o.warn(`block #${item.index} at byte ${item.offset} (partition ${item.partition}) is malformed at entry byte ${err.offset}: ${err.message}; skipped`);
        continue;
      }
      const answer = await restoreBlock(url, entries, item.payload);
      merged += answer.merged;
      failed += answer.failed.length;
      for (const f of answer.failed.slice(0, 10)) o.warn(`${f.bucket}/${f.key}: not restored: ${f.error}`);
      blocks++;
      o.progress({ blocks, keys: merged });
      await rate.take(item.count);
    }
  } finally {
    await reader.close();
  }
  if (!complete) o.warn('the file has no whole end record: it may be truncated; everything before the damage was restored');
  return { header: reader.header, merged, failed, corruptBlocks, complete, bucketsSet };
}
