/**
 * Turning a client request into an operation: validate it against the bucket's properties, find
 * where the key lives, and either coordinate here or hand the request to a node that can.
 * Reads are coordinated by whichever node receives them; writes by a primary replica of the key,
 * which holds the key's history (or by this node when every primary is down in sloppy mode, or
 * when a node with another view of the ring forwarded it here; such a write takes a fallback
 * actor, see replica/actors.ts, so it never reuses a dot).
 */
import { assert } from '../../core/assert.js';
import { applyBucketChange, bucketType, MAX_TTL_MS, type BucketProps } from '../../core/buckets/index.js';
import { resolveLww, siblingCount, truncate, update, withContext, encodeSiblingSet, decodeSiblingSet, digest, expiryAfter, latestExpiry, type SiblingSet } from '../../core/versions/index.js';
import { clientError, type ClientRequest } from '../../protocol/requests.js';
import { MAX_BUCKET_BYTES, MAX_KEY_BYTES } from '../config.js';
import type { ClientRef, Placement } from '../context.js';
import { ForwardOperation } from './forward.js';
import { GetOperation } from './get.js';
import { dataKey, identify, type KeyIdentity } from '../keys.js';
import { PutOperation } from './put.js';
import { coordinateRestore } from '../backup/restore.js';
import { mergeOptions } from '../replica/merge-options.js';
import { coordinateUpdate, updateProblem } from './crdt-update.js';
import type { CrdtType } from '../../core/crdt/index.js';
import { decodeCursor, ListKeysOperation, type ListKeysHost } from '../listing/list-keys.js';
import { LIST_LIMIT_MAX } from '../listing/key-listing.js';

export interface CoordinationHost extends ListKeysHost {
  placement(identity: KeyIdentity, n: number): Placement | null;
  launch(op: GetOperation | PutOperation | ForwardOperation | ListKeysOperation): void;
  /** The actor to mint this write's version under (replica/actors.ts). */
  actorFor(local: SiblingSet | undefined, identity: KeyIdentity): string;
  /** The same for a coordinator that is not a primary of the key, and the record of what it minted (replica/actors.ts). */
  fallbackActorFor(key: string, local: SiblingSet | undefined): string;
  mintedFallback(key: string, actor: string, counter: number): void;
  changeBucket(bucket: string, props: BucketProps): void;
  /**
   * Reap the key's tombstone (or expired version) at `goneAtMs`, when its versions were all deleted
   * or expired, plus the grace, once every primary holds exactly it or nothing (replica/reaper.ts).
   */
  scheduleReap(bucket: string, key: string, tombstoneDigest: Uint8Array, goneAtMs: number): void;
  ringReplicas(): number;
}

/** Nodes a read of a bucket with n below N asks at most when its n candidates found nothing (get.ts). */
const LAST_RESORT_NODES = 8;

function checkName(what: string, value: string, maxBytes: number): string | null {
  if (value.length === 0) return `the ${what} must not be empty`;
  if (Buffer.byteLength(value, 'utf8') > maxBytes) return `the ${what} is longer than ${maxBytes} bytes`;
  return null;
}

function checkQuorum(name: 'r' | 'w', value: number | undefined, props: BucketProps): string | null {
  if (value === undefined || value === null) return null;
  if (!Number.isInteger(value) || value < 1 || value > props.n) return `${name} must be an integer from 1 to n (${props.n})`;
  return null;
}

export function handleClientRequest(host: CoordinationHost, ref: ClientRef, request: ClientRequest, allowForward: boolean): void {
  const reject = (message: string): void => host.respond(ref, clientError('bad_request', message));
  const bucketProblem = checkName('bucket name', request.bucket, MAX_BUCKET_BYTES);
  if (bucketProblem !== null) return reject(bucketProblem);
  switch (request.op) {
    case 'getBucket':
      return host.respond(ref, { ok: true, op: 'bucket', bucket: request.bucket, props: host.props(request.bucket) });
    case 'setBucket': {
      const current = host.props(request.bucket);
      const result = applyBucketChange(current, request.change, host.ringReplicas());
      if (!result.ok) return reject(result.error);
      const apply = (): void => {
        host.changeBucket(request.bucket, result.props);
        host.respond(ref, { ok: true, op: 'bucket', bucket: request.bucket, props: result.props });
      };
      if (bucketType(result.props) === bucketType(current)) return apply();
      return whenBucketEmpty(host, ref, request.bucket, apply);
    }
    case 'listKeys':
      return listKeys(host, ref, request);
    case 'get':
    case 'put':
    case 'delete':
    case 'update':
    case 'replicaRead':
    case 'merge':
      break;
  }
  const keyProblem = checkName('key', request.key, MAX_KEY_BYTES);
  if (keyProblem !== null) return reject(keyProblem);
  const props = host.props(request.bucket);
  if (request.op === 'replicaRead') return readReplica(host, ref, request.bucket, request.key, props);
  const quorumProblem = request.op === 'get' ? checkQuorum('r', request.r, props) : checkQuorum('w', request.w, props);
  if (quorumProblem !== null) return reject(quorumProblem);
  const identity = identify(request.bucket, request.key);
  const placement = host.placement(identity, props.n);
  if (placement === null) return host.respond(ref, clientError('unavailable', 'this node has not joined a cluster yet'));
  if (request.op === 'merge') return restoreSet(host, ref, request, identity, placement, props);
  if (request.op === 'get') {
    const op = new GetOperation(host, host.nextOpId(), {
      ref,
      identity,
      needed: quorumNeeded(request.r ?? props.r, props.n, request.strict ?? props.strict),
      strict: request.strict ?? props.strict,
      lww: props.conflict === 'lww',
      placement,
      lastResort: props.n < host.ringReplicas() ? placement.fallbacks.slice(0, LAST_RESORT_NODES) : [],
      ...(bucketType(props) === 'kv' ? {} : { crdt: bucketType(props) as CrdtType }),
    });
    return host.launch(op);
  }
  const typeProblem = writeTypeProblem(request, props);
  if (typeProblem !== null) return host.respond(ref, clientError(typeProblem.error, typeProblem.message));
  if (request.op === 'put' && request.value.length > host.config.maxValueBytes) {
    return host.respond(ref, clientError('too_large', `the value has ${request.value.length} bytes; the limit is ${host.config.maxValueBytes}`));
  }
  routeWrite({ host, ref, request, identity, placement, props }, allowForward);
}

/**
 * This node's copy for a client that coordinates the read itself (client/replica-read.ts): the
 * stored bytes as they are, so the replica does no decoding and sends no message. Only a primary
 * answers with data; the client compares the copies, and hands anything but agreement to a
 * coordinated get, which merges and repairs.
 */
function readReplica(host: CoordinationHost, ref: ClientRef, bucket: string, key: string, props: BucketProps): void {
  const identity = identify(bucket, key);
  const placement = host.placement(identity, props.n);
  if (placement === null) return host.respond(ref, clientError('unavailable', 'this node has not joined a cluster yet'));
  // Counter and set values are joined by a coordinator, never read raw by a client.
  if (bucketType(props) !== 'kv') return host.respond(ref, clientError('wrong_type', 'counters and sets are read through a coordinated get'));
  const primary = placement.primaries.includes(host.selfId);
  const set = primary ? (host.store.readAnyEncoded(identity) ?? null) : null;
  host.respond(ref, { ok: true, op: 'replicaRead', primary, set, n: props.n, r: props.r, lww: props.conflict === 'lww' });
}

/** A restored set: decoded (the version invariants checked) here, then sent to the replicas (restore.ts). */
function restoreSet(host: CoordinationHost, ref: ClientRef, request: Extract<ClientRequest, { op: 'merge' }>, identity: KeyIdentity, placement: Placement, props: BucketProps): void {
  let set: SiblingSet;
  try {
    set = decodeSiblingSet(request.set);
  } catch (err) {
    return host.respond(ref, clientError('bad_request', `the restored set of ${request.bucket}/${request.key} is malformed: ${(err as Error).message}`));
  }
  coordinateRestore({ host, ref, identity, set, encoded: request.set, placement, props, w: request.w });
}

type WriteRequest = Extract<ClientRequest, { op: 'put' | 'delete' | 'update' }>;

/** A write that does not fit the bucket's type (a PUT or DELETE on a counter, an update on a kv bucket...). */
function writeTypeProblem(request: WriteRequest, props: BucketProps): { error: 'bad_request' | 'wrong_type'; message: string } | null {
  const type = bucketType(props);
  if (request.op === 'update') {
    if (type === 'kv') return { error: 'wrong_type', message: `bucket "${request.bucket}" is a kv bucket: set its "type" to "counter" or "set" before updating values with POST` };
    return updateProblem(type, request.update);
  }
  if (type === 'kv') return null;
  const verb = request.op === 'put' ? 'PUT' : 'DELETE';
  return { error: 'wrong_type', message: `bucket "${request.bucket}" holds ${type}s: update it with POST (increment, or add/remove), not ${verb}` };
}

/**
 * How many replies a request waits for. Sloppy: R or W of any replicas, fallbacks included.
 * Strict is the seed's "write to a majority, reject otherwise": a majority of the key's n primaries
 * (floor(n/2)+1), or R (W) of them when that is higher, so a strict W=1 write with two of three
 * primaries down is refused rather than left on one replica.
 */
export function quorumNeeded(requested: number, n: number, strict: boolean): number {
  assert(Number.isInteger(requested) && requested >= 1 && requested <= n, 'quorums were checked against n');
  return strict ? Math.max(Math.floor(n / 2) + 1, requested) : requested;
}

/** A validated write and where its key lives: what routing and coordination both work from. */
interface WriteJob {
  readonly host: CoordinationHost;
  readonly ref: ClientRef;
  readonly request: WriteRequest;
  readonly identity: KeyIdentity;
  readonly placement: Placement;
  readonly props: BucketProps;
}

function routeWrite(job: WriteJob, allowForward: boolean): void {
  const { host, ref, request, placement, props } = job;
  const strict = request.strict ?? props.strict;
  const isPrimary = placement.primaries.includes(host.selfId);
  const preferred = request.coordinator;
  const usePreferred =
    allowForward && preferred !== undefined && preferred !== null && preferred !== host.selfId &&
    placement.primaries.includes(preferred) && host.isUp(preferred);
  if (!usePreferred && (isPrimary || !allowForward)) return coordinateWrite(job, isPrimary);
  const target = usePreferred ? preferred : placement.primaries.find((p) => host.isUp(p));
  if (target !== undefined) {
    const reroute = (): void => handleClientRequest(host, ref, request, allowForward);
    return host.launch(new ForwardOperation(host, host.nextOpId(), ref, target, request, reroute));
  }
  if (strict) {
    const needed = quorumNeeded(request.w ?? props.w, props.n, true);
    return host.respond(ref, clientError('quorum_failed', 'strict write: no primary replica of this key is reachable; nothing was written', { needed, acked: 0 }));
  }
  coordinateWrite(job, false);
}

function coordinateWrite(job: WriteJob, isPrimary: boolean): void {
  const { host, ref, request, identity, placement, props } = job;
  const now = host.now();
  const local = isPrimary ? host.store.readData(identity) : host.store.readAny(identity, bucketType(props) !== 'kv');
  // Only a primary stores what it mints in its data before acknowledging, which is what lets
  // actorFor trust the local copy for its own counters; anywhere else (a forward from a node
  // with a newer ring, or every primary down) the version may end up stored nowhere here, so
  // the copy cannot tell which dots this node already minted: fallback actors (replica/actors.ts).
  const fallbackKey = isPrimary ? null : `${identity.bucket.length}:${identity.bucket}${identity.key}`;
  // A counter or set update off a primary is not recorded as a fallback mint: it takes a fresh fallback actor (no copy to reuse one on).
  if (request.op === 'update') return coordinateCrdtWrite(job, request, local, fallbackKey === null ? host.actorFor(local, identity) : host.fallbackActorFor(fallbackKey, undefined), isPrimary);
  const actor = fallbackKey === null ? host.actorFor(local, identity) : host.fallbackActorFor(fallbackKey, local);
  const data = request.op === 'put' ? request.value : null;
  const expiresAtMs = request.op === 'put' ? expiryAfter(now, ttlOf(request.ttlMs, props)) : undefined;
  const written = expiresAtMs === undefined ? { data, timestampMs: now } : { data, timestampMs: now, expiresAtMs };
  const updated = update(withContext(request.context, written), local, actor, now);
  if (fallbackKey !== null) host.mintedFallback(fallbackKey, actor, updated.entries.find((e) => e.node === actor)!.counter);
  let set: SiblingSet = updated;
  if (props.conflict === 'lww') set = resolveLww(set);
  set = truncate(set, host.config.maxClockEntries, actor);
  assert(set.entries.some((e) => e.node === actor), 'the coordinator keeps its own entry through truncation');
  const siblings = siblingCount(set);
  if (siblings > host.config.maxSiblings) {
    host.metrics.siblingRefusals++;
    const message = `the key has ${siblings} concurrent versions, over the limit of ${host.config.maxSiblings}: read it, merge the siblings and write the merge back with the read's context`;
    return host.respond(ref, clientError('too_many_siblings', message));
  }
  if (siblings > host.config.siblingWarnThreshold) {
    host.metrics.siblingWarnings++;
    host.log('warn', 'many siblings on a key', { bucket: identity.bucket, key: identity.key, siblings });
  }
  const encoded = encodeSiblingSet(set);
  // The update supersedes exactly the stored copy it was made from, unless LWW or truncation
  // changed it afterwards, or it was made from more than the data copy (hints) or from nothing
  // because the copy was unreadable: then replicas merge it as usual.
  const key = dataKey(identity);
  const readable = local !== undefined || (isPrimary && host.store.getRaw(key) === undefined);
  const base = isPrimary && set === updated && readable ? host.store.copyDigest(key) : null;
  // A delete's tombstone, and an expiring version once it expired, go under the same reaping rule.
  const reapAtMs = request.op === 'delete' ? now : latestExpiry(set);
  const op = new PutOperation(host, host.nextOpId(), {
    ref,
    op: request.op,
    identity,
    set,
    encoded,
    base,
    needed: quorumNeeded(request.w ?? props.w, props.n, request.strict ?? props.strict),
    strict: request.strict ?? props.strict,
    placement,
    merge: mergeOptions(props, host.config),
  });
  // Whatever the acknowledgements: the reap checks every primary first.
  if (reapAtMs !== undefined) host.scheduleReap(identity.bucket, identity.key, digest(set), reapAtMs);
  host.launch(op);
}

/** The write's own ttl, else the bucket's (a bad value gossiped by a peer counts as none). */
function ttlOf(requestTtlMs: number | undefined, props: BucketProps): number | undefined {
  const ttl = requestTtlMs ?? props.ttlMs;
  return ttl !== undefined && Number.isSafeInteger(ttl) && ttl > 0 && ttl <= MAX_TTL_MS ? ttl : undefined;
}

/** A counter or set update: the new version holds the joined state plus the change (crdt-update.ts). */
function coordinateCrdtWrite(job: WriteJob, request: Extract<ClientRequest, { op: 'update' }>, local: SiblingSet | undefined, actor: string, isPrimary: boolean): void {
  const { host, ref, identity, placement, props } = job;
  const type = bucketType(props);
  if (type === 'kv') return host.respond(ref, clientError('wrong_type', 'not a counter or set bucket'));
  const outcome = coordinateUpdate({ type, change: request.update, readContext: request.context, local, actor, nowMs: host.now() });
  if (!outcome.ok) {
    if (outcome.error === 'too_many_elements') host.metrics.setElementRefusals++;
    return host.respond(ref, clientError(outcome.error, outcome.message));
  }
  const set = truncate(outcome.set, host.config.maxClockEntries);
  const encoded = encodeSiblingSet(set);
  // As for a put: replicas holding the copy this update was made from store it without decoding.
  const key = dataKey(identity);
  const readable = local !== undefined || (isPrimary && host.store.getRaw(key) === undefined);
  const base = isPrimary && set === outcome.set && readable ? host.store.copyDigest(key) : null;
  if (encoded.length > host.config.maxValueBytes) {
    return host.respond(ref, clientError('too_large', `the ${type} would take ${encoded.length} bytes; the limit is ${host.config.maxValueBytes}`));
  }
  const op = new PutOperation(host, host.nextOpId(), {
    ref,
    op: 'update',
    identity,
    set,
    encoded,
    base,
    needed: request.w ?? props.w,
    strict: request.strict ?? props.strict,
    placement,
    merge: mergeOptions(props, host.config),
    updated: { value: outcome.value, added: outcome.added, removed: outcome.removed },
  });
  host.launch(op);
}

/** One page of a bucket's keys (list-keys.ts). */
function listKeys(host: CoordinationHost, ref: ClientRef, request: Extract<ClientRequest, { op: 'listKeys' }>): void {
  const limit = request.limit ?? 1000;
  if (!Number.isInteger(limit) || limit < 1 || limit > LIST_LIMIT_MAX) {
    return host.respond(ref, clientError('bad_request', `the limit must be a whole number from 1 to ${LIST_LIMIT_MAX}`));
  }
  if (host.partitionCount() === 0) return host.respond(ref, clientError('unavailable', 'this node has not joined a cluster yet'));
  const cursor = request.cursor === undefined || request.cursor === null ? { partition: 0, after: null } : decodeCursor(request.cursor, host.partitionCount());
  if (typeof cursor === 'string') return host.respond(ref, clientError('bad_request', cursor));
  host.launch(new ListKeysOperation(host, host.nextOpId(), { ref, bucket: request.bucket, limit, cursor }));
}

/**
 * A bucket's type is fixed once it holds data (kv bytes do not read as a counter): a change runs
 * a cluster-wide listing of one key first, and applies only when it finds none.
 */
function whenBucketEmpty(host: CoordinationHost, ref: ClientRef, bucket: string, apply: () => void): void {
  if (host.partitionCount() === 0) return host.respond(ref, clientError('unavailable', 'this node has not joined a cluster yet'));
  const onPage = (keys: readonly string[], complete: boolean): void => {
    if (keys.length > 0) {
      const message = `bucket "${bucket}" holds data (key "${keys[0]}"), so its type is fixed; use a new bucket for another type`;
      return host.respond(ref, clientError('wrong_type', message));
    }
    if (!complete) return host.respond(ref, clientError('unavailable', 'could not check that the bucket is empty before changing its type; try again'));
    apply();
  };
  host.launch(new ListKeysOperation(host, host.nextOpId(), { ref, bucket, limit: 1, cursor: { partition: 0, after: null }, onPage }));
}
