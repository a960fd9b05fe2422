/**
 * Where the counter and set commands keep their keys. A bucket has one type (kv, counter or set),
 * so beside the connection's kv bucket B each connection has `B-counters` (INCR, DECR, INCRBY,
 * DECRBY) and `B-sets` (SADD, SREM, SMEMBERS, SISMEMBER, SCARD). The port creates them with their
 * type the first time it serves one of their commands, unless someone set their properties first
 * (then the bucket's type decides, and a kv one answers WRONGTYPE), as it makes B itself lww.
 *
 * Setting a bucket's type first checks, cluster-wide, that the bucket is empty, and the new type
 * then reaches the other nodes by gossip, so for a moment the node that coordinates an update may
 * still think the bucket is kv and answer `wrong_type`. While this port's change of the type is
 * under way, or this node's own view says the bucket has the command's type, such an answer is
 * that lag, and the request is sent again after a short wait (a bounded number of times);
 * otherwise WRONGTYPE is the answer.
 */
import { assert } from '../../core/assert.js';
import type { ClientRequest, ClientResponse } from '../../protocol/requests.js';
import type { CommandContext, CrdtKind, RespBackend } from './types.js';
import type { Logger } from '../../runtime/logger.js';
import { mayWrite } from './access.js';

export type { CrdtKind };

export function typedBucket(bucket: string, type: CrdtKind): string {
  return type === 'counter' ? `${bucket}-counters` : `${bucket}-sets`;
}

/** Typed buckets one port remembers having prepared (a stranger can name buckets with DYNAMO.BUCKET). */
const MAX_PREPARED = 10_000;
const RETRY_DELAY_MS = 50;
/** About ten seconds of gossip lag (a loaded machine) at most before the refusal is believed. */
const MAX_RETRIES = 200;

export interface TypedBuckets {
  /** Makes `bucket` a bucket of `type` before its first use, unless its properties were ever set. */
  prepare(bucket: string, type: CrdtKind): void;
  /** Whether this port's change of the bucket's type is still under way. */
  settling(bucket: string): boolean;
}

export function typedBuckets(backend: RespBackend, logger: Logger): TypedBuckets {
  const prepared = new Set<string>();
  const changing = new Set<string>();
  const prepare = (bucket: string, type: CrdtKind): void => {
    if (prepared.has(bucket) || !backend.isServing()) return;
    if (backend.hasBucketProps(bucket)) {
      prepared.add(bucket);
      return;
    }
    if (prepared.size >= MAX_PREPARED) prepared.clear();
    prepared.add(bucket);
    changing.add(bucket);
    backend.submit({ op: 'setBucket', bucket, change: { type } }, (response) => {
      changing.delete(bucket);
      if (response.ok) return logger.info({ bucket, type }, 'created a RESP bucket for counters or sets');
      // Another node may have typed it meanwhile (its gossip then ends the retries); else the next command tries again.
      prepared.delete(bucket);
      logger.warn({ bucket, type, error: response.message }, 'could not create the RESP bucket with its type');
    });
  };
  return { prepare, settling: (bucket) => changing.has(bucket) };
}

/** Types the bucket before its first use, when this connection's user may write it (access.ts). */
export function prepareFor(ctx: Pick<CommandContext, 'server' | 'session'>, bucket: string, type: CrdtKind): void {
  if (mayWrite(ctx.server, ctx.session, bucket)) ctx.server.typedBuckets.prepare(bucket, type);
}

/** Submits a request on a counter or set bucket, riding out the moment its type is still spreading. */
export function submitTyped(ctx: Pick<CommandContext, 'backend' | 'server'>, type: CrdtKind, request: ClientRequest, done: (response: ClientResponse) => void): void {
  assert(request.op === 'get' || request.op === 'update', 'only reads and updates go to typed buckets');
  const backend = ctx.backend;
  let attempts = 0;
  const attempt = (): void => {
    backend.submit(request, (response) => {
      const expected = backend.props(request.bucket).type === type || ctx.server.typedBuckets.settling(request.bucket);
      const lagging = !response.ok && response.error === 'wrong_type' && expected;
      // A get coordinated by a node that still thinks the bucket is kv answers no crdt value.
      const staleRead = expected && response.ok && response.op === 'get' && response.crdt === undefined && response.values.length > 0;
      if ((lagging || staleRead) && attempts++ < MAX_RETRIES) {
        setTimeout(attempt, RETRY_DELAY_MS);
        return;
      }
      done(response);
    });
  };
  attempt();
}
