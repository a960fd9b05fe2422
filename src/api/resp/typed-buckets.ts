/**
 * Where the counter and set commands keep their keys. A bucket has one type (kv, counter or set),
 * so beside the connection's kv bucket B each connection has `B-counters` (INCR, DECR, INCRBY,
 * DECRBY) and `B-sets` (SADD, SREM, SMEMBERS, SISMEMBER, SCARD). The port creates them with their
 * type the first time it serves one of their commands, unless someone set their properties first
 * (then the bucket's type decides, and a kv one answers WRONGTYPE), as it makes B itself lww.
 *
 * A new bucket's type reaches the other nodes by gossip, so for a moment the node that
 * coordinates an update may still think the bucket is kv and answer `wrong_type`. While this
 * node's own view says the bucket has the command's type, such an answer is that lag, and the
 * request is sent again after a short wait (a bounded number of times); otherwise WRONGTYPE is the
 * answer.
 */
import { assert } from '../../core/assert.js';
import type { ClientRequest, ClientResponse } from '../../protocol/requests.js';
import type { CrdtKind, RespBackend } from './types.js';
import type { Logger } from '../../runtime/logger.js';

export type { CrdtKind };

export function typedBucket(bucket: string, type: CrdtKind): string {
  return type === 'counter' ? `${bucket}-counters` : `${bucket}-sets`;
}

/** Typed buckets one port remembers having prepared (a stranger can name buckets with DYNAMO.BUCKET). */
const MAX_PREPARED = 10_000;
const RETRY_DELAY_MS = 50;
/** About five seconds of gossip lag at most before the refusal is believed. */
const MAX_RETRIES = 100;

/** Makes `bucket` a bucket of `type` before its first use, unless its properties were ever set. */
export function typedBucketPreparer(backend: RespBackend, logger: Logger): (bucket: string, type: CrdtKind) => void {
  const prepared = new Set<string>();
  return (bucket, type) => {
    if (prepared.has(bucket) || !backend.isServing()) return;
    if (backend.hasBucketProps(bucket)) {
      prepared.add(bucket);
      return;
    }
    if (prepared.size >= MAX_PREPARED) prepared.clear();
    prepared.add(bucket);
    // Submitted before the command that triggered it, so this node applies it first.
    backend.submit({ op: 'setBucket', bucket, change: { type } }, (response) => {
      if (response.ok) return logger.info({ bucket, type }, 'created a RESP bucket for counters or sets');
      prepared.delete(bucket);
      logger.warn({ bucket, type, error: response.message }, 'could not create the RESP bucket with its type');
    });
  };
}

/** Submits a request on a counter or set bucket, riding out the moment its type is still spreading. */
export function submitTyped(backend: RespBackend, type: CrdtKind, request: ClientRequest, done: (response: ClientResponse) => void): void {
  assert(request.op === 'get' || request.op === 'update', 'only reads and updates go to typed buckets');
  let attempts = 0;
  const attempt = (): void => {
    backend.submit(request, (response) => {
      const lagging = !response.ok && response.error === 'wrong_type' && backend.props(request.bucket).type === type;
      // A get coordinated by a node that still thinks the bucket is kv answers no crdt value.
      const staleRead = response.ok && response.op === 'get' && response.crdt === undefined && response.values.length > 0;
      if ((lagging || staleRead) && attempts++ < MAX_RETRIES) {
        setTimeout(attempt, RETRY_DELAY_MS);
        return;
      }
      done(response);
    });
  };
  attempt();
}
