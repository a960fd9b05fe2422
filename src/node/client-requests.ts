/**
 * Turning a client request into an operation: validate it against the bucket's properties, find
 * where the key lives, and either coordinate here or hand the request to a node that can.
 * Reads are coordinated by whichever node receives them; writes by a primary replica of the key,
 * which holds the key's history (or, in sloppy mode with every primary down, by this node; the
 * actor rules of actors.ts keep it from ever reusing a dot).
 */
import { applyBucketChange, type BucketProps } from '../core/buckets/index.js';
import type { NodeId } from '../core/ids.js';
import { resolveLww, siblingCount, truncate, update, withContext, encodeSiblingSet, decodeSiblingSet, digest, type SiblingSet } from '../core/versions/index.js';
import { clientError, type ClientRequest } from '../protocol/requests.js';
import { MAX_BUCKET_BYTES, MAX_KEY_BYTES } from './config.js';
import type { ClientRef, NodeContext, Placement } from './context.js';
import { ForwardOperation } from './forward.js';
import { GetOperation } from './get.js';
import { dataKey, identify, type KeyIdentity } from './keys.js';
import { PutOperation } from './put.js';
import { coordinateRestore } from './restore.js';

export interface CoordinationHost extends NodeContext {
  placement(identity: KeyIdentity, n: number): Placement | null;
  launch(op: GetOperation | PutOperation | ForwardOperation): void;
  /** The actor to mint this write's version under (actors.ts). */
  actorFor(local: SiblingSet | undefined): string;
  changeBucket(bucket: string, props: BucketProps): void;
  scheduleReap(bucket: string, key: string, tombstoneDigest: Uint8Array, primaries: readonly NodeId[]): void;
  ringReplicas(): number;
}

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
      const result = applyBucketChange(host.props(request.bucket), request.change, host.ringReplicas());
      if (!result.ok) return reject(result.error);
      host.changeBucket(request.bucket, result.props);
      return host.respond(ref, { ok: true, op: 'bucket', bucket: request.bucket, props: result.props });
    }
    case 'get':
    case 'put':
    case 'delete':
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
      needed: request.r ?? props.r,
      strict: request.strict ?? props.strict,
      lww: props.conflict === 'lww',
      placement,
    });
    return host.launch(op);
  }
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

type WriteRequest = Extract<ClientRequest, { op: 'put' | 'delete' }>;

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
    const needed = request.w ?? props.w;
    return host.respond(ref, clientError('quorum_failed', 'strict write: no primary replica of this key is reachable; nothing was written', { needed, acked: 0 }));
  }
  coordinateWrite(job, false);
}

function coordinateWrite(job: WriteJob, isPrimary: boolean): void {
  const { host, ref, request, identity, placement, props } = job;
  const now = host.now();
  const local = isPrimary ? host.store.readData(identity) : host.store.readAny(identity);
  const actor = host.actorFor(local);
  const data = request.op === 'put' ? request.value : null;
  const updated = update(withContext(request.context, { data, timestampMs: now }), local, actor, now);
  let set: SiblingSet = updated;
  if (props.conflict === 'lww') set = resolveLww(set);
  set = truncate(set, host.config.maxClockEntries);
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
  const onAllPrimariesAcked =
    request.op === 'delete' ? () => host.scheduleReap(identity.bucket, identity.key, digest(set), placement.primaries) : undefined;
  const op = new PutOperation(host, host.nextOpId(), {
    ref,
    op: request.op,
    identity,
    set,
    encoded,
    base,
    needed: request.w ?? props.w,
    strict: request.strict ?? props.strict,
    placement,
    merge: { lww: props.conflict === 'lww', maxClockEntries: host.config.maxClockEntries },
    ...(onAllPrimariesAcked === undefined ? {} : { onAllPrimariesAcked }),
  });
  host.launch(op);
}
