/**
 * The node's own metadata in its storage, under meta keys: the membership, the bucket table and the
 * ceiling of actor epochs. Written as JSON through the local store with every other write of the
 * step (so it commits with them), and the alive mark; read back at start through the same parsers as gossip: a
 * data directory is as untrusted as a peer, and what fails is ignored with an error log.
 */
import { EMPTY_BUCKET_TABLE, parseBucketTable, type BucketTable } from '../core/buckets/index.js';
import { REPLICAS_MAX } from '../core/limits.js';
import { parseMembership, type Membership } from '../core/membership/index.js';
import { metaKey } from './keys.js';
import type { StorageView } from './storage-view.js';

const META_MEMBERSHIP = 'membership';
const META_BUCKETS = 'buckets';
const META_ACTOR_EPOCH = 'actor-epoch-ceiling';
const META_ACTOR_RETIRED = 'actor-retired';
/** Partitions whose retired-actor watermark is kept at most (a ring has fewer partitions). */
export const MAX_RETIRED_PARTITIONS = 65_536;
const META_ALIVE = 'alive-at';
const META_USERS = 'users';
const META_CLUSTER_ID = 'cluster-id';

export type MetadataLog = (msg: string, fields: Record<string, unknown>) => void;

export interface MetadataWriter {
  put(key: Uint8Array, value: Uint8Array | null): void;
}

function loadJson(storage: StorageView, name: string, log: MetadataLog): unknown {
  const raw = storage.get(metaKey(name));
  if (raw === undefined) return null;
  try {
    return JSON.parse(Buffer.from(raw).toString('utf8')) as unknown;
  } catch {
    log('unreadable metadata in storage; ignoring it', { name });
    return null;
  }
}

function store(writer: MetadataWriter, name: string, value: unknown): void {
  writer.put(metaKey(name), Buffer.from(JSON.stringify(value)));
}

export function loadMembership(storage: StorageView, log: MetadataLog): Membership | null {
  const raw = loadJson(storage, META_MEMBERSHIP, log);
  if (raw === null) return null;
  const m = parseMembership(raw);
  if (m === null) log('stored membership is malformed; ignoring it', {});
  return m;
}

export function loadBuckets(storage: StorageView, log: MetadataLog): BucketTable {
  const raw = loadJson(storage, META_BUCKETS, log);
  if (raw === null) return EMPTY_BUCKET_TABLE;
  const parsed = parseBucketTable(raw, REPLICAS_MAX);
  if (parsed.refused.length > 0) log('stored bucket properties break the bucket rules; ignoring them', { refused: parsed.refused.slice(0, 5) });
  return parsed.table;
}

export function loadActorEpochCeiling(storage: StorageView, log: MetadataLog): number {
  const raw = loadJson(storage, META_ACTOR_EPOCH, log);
  return typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0 ? raw : 0;
}

/** Per partition handed over, the first actor epoch still reusable for its keys (replica/actors.ts); malformed pairs are dropped. */
export function loadRetiredActors(storage: StorageView, log: MetadataLog): [number, number][] {
  const raw = loadJson(storage, META_ACTOR_RETIRED, log);
  if (!Array.isArray(raw)) return [];
  const ok = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
  const pairs = raw.slice(0, MAX_RETIRED_PARTITIONS).filter((p: unknown): p is [number, number] => Array.isArray(p) && p.length === 2 && ok(p[0]) && ok(p[1]));
  if (pairs.length !== raw.length) log('stored actor watermarks are partly malformed; ignoring those', { kept: pairs.length, stored: raw.length });
  return pairs;
}

export const saveMembership = (writer: MetadataWriter, m: Membership): void => store(writer, META_MEMBERSHIP, m);
export const saveBuckets = (writer: MetadataWriter, t: BucketTable): void => store(writer, META_BUCKETS, t);
export const saveActorEpochCeiling = (writer: MetadataWriter, ceiling: number): void => store(writer, META_ACTOR_EPOCH, ceiling);
export const saveRetiredActors = (writer: MetadataWriter, retired: [number, number][]): void => store(writer, META_ACTOR_RETIRED, retired);

/** When the previous run of this node last noted it was alive (alive-mark.ts), raw: AliveMark checks it. */
export function loadAliveMark(storage: StorageView, log: MetadataLog): unknown {
  return loadJson(storage, META_ALIVE, log);
}

export const saveAliveMark = (writer: MetadataWriter, nowMs: number): void => store(writer, META_ALIVE, nowMs);

/** The cluster id minted at founding (security: every connection is checked against it), or null. */
export function loadClusterId(storage: StorageView, log: MetadataLog): string | null {
  const raw = loadJson(storage, META_CLUSTER_ID, log);
  return typeof raw === 'string' && raw.length > 0 && raw.length <= 64 ? raw : null;
}

export const saveClusterId = (writer: MetadataWriter, id: string): void => store(writer, META_CLUSTER_ID, id);

/** The users table as stored, raw: UsersAgent parses it (core/users parseUserTable). */
export function loadUsers(storage: StorageView, log: MetadataLog): unknown {
  return loadJson(storage, META_USERS, log);
}

export const saveUsers = (writer: MetadataWriter, table: unknown): void => store(writer, META_USERS, table);
