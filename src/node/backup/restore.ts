/**
 * Coordinating a restored sibling set (from `dynamo restore`): the set goes to the key's current N
 * replicas exactly as a replica write does, with no base, so each replica merges it into what it
 * holds (sync: a version the set already supersedes goes, a newer one stays, a concurrent one
 * becomes a sibling) and restoring the same set twice changes nothing. No version is minted: the
 * set keeps the dots of the cluster it came from, which no actor of this cluster can reuse (actors
 * carry their data directory's incarnation), so the restored context still supersedes its siblings.
 */
import { assert } from '../../core/assert.js';
import { siblingCount, siblingSetProblem, type SiblingSet } from '../../core/versions/index.js';
import { clientError } from '../../protocol/requests.js';
import type { ClientRef, NodeContext, Placement } from '../context.js';
import type { KeyIdentity } from '../keys.js';
import type { BucketProps } from '../../core/buckets/index.js';
import { PutOperation } from '../coordinator/put.js';
import { mergeOptions } from '../replica/merge-options.js';

/** What a restore needs of the node: its context, and to launch the write (CoordinationHost has both). */
export interface RestoreHost extends NodeContext {
  launch(op: PutOperation): void;
}

export interface RestoreJob {
  readonly host: RestoreHost;
  readonly ref: ClientRef;
  readonly identity: KeyIdentity;
  readonly set: SiblingSet;
  readonly encoded: Uint8Array;
  readonly placement: Placement;
  readonly props: BucketProps;
  readonly w: number | undefined;
}

export function coordinateRestore(job: RestoreJob): void {
  const { host, ref, set, props } = job;
  assert(siblingSetProblem(set) === null, 'a restored set was validated where it was decoded');
  const siblings = siblingCount(set);
  if (siblings > host.config.maxSiblings) {
    return host.respond(ref, clientError('too_many_siblings', `the restored set has ${siblings} concurrent versions, over the limit of ${host.config.maxSiblings}`));
  }
  const needed = job.w ?? props.w;
  assert(needed >= 1 && needed <= props.n, 'w was checked against the bucket');
  host.launch(
    new PutOperation(host, host.nextOpId(), {
      ref,
      op: 'put',
      identity: job.identity,
      set,
      encoded: job.encoded,
      base: null,
      needed,
      strict: false,
      placement: job.placement,
      merge: mergeOptions(props, host.config),
    }),
  );
}
