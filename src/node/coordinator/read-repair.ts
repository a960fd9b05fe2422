/**
 * Read repair (the paper, section 4.7): after a read has answered, every primary that replied with
 * less than the merge of all replies, or with nothing, gets the merge, in the background. A
 * fallback's copy is not repaired here (hinted handoff and anti-entropy own those), and a replica
 * that did not reply is left to anti-entropy, since its silence says nothing about what it holds,
 * and a key expired past its grace is not written back to a replica that already dropped it.
 */
import { assert } from '../../core/assert.js';
import type { NodeId } from '../../core/ids.js';
import { encodeSiblingSet, equalSets, type SiblingSet } from '../../core/versions/index.js';
import { MessageType } from '../../protocol/messages.js';
import type { NodeContext } from '../context.js';
import type { KeyIdentity } from '../keys.js';
import type { CrdtType } from '../../core/crdt/index.js';
import { isPastGrace } from '../replica/expired-sets.js';

export interface RepairSource {
  readonly node: NodeId;
  readonly primary: boolean;
  readonly state: 'pending' | 'replied' | 'failed';
  readonly set: SiblingSet | undefined;
}

/** Sends `merged` to each primary that replied with a stale or missing copy; returns how many were repaired. */
export function readRepair(ctx: NodeContext, identity: KeyIdentity, merged: SiblingSet, sources: readonly RepairSource[], lww: boolean, crdt?: CrdtType): number {
  assert(sources.some((s) => s.state === 'replied'), 'a read repairs only from replies it merged');
  let encoded: Uint8Array | undefined;
  let repaired = 0;
  for (const s of sources) {
    if (!s.primary || s.state !== 'replied') continue;
    if (s.set !== undefined && equalSets(s.set, merged)) continue;
    // An expired key past its grace is not written back to a replica that already let go of it.
    if (s.set === undefined && isPastGrace(ctx, merged)) continue;
    encoded ??= encodeSiblingSet(merged);
    repaired++;
    ctx.metrics.readRepairs++;
    if (s.node === ctx.selfId) {
      ctx.store.mergeData(identity, merged, { lww, maxClockEntries: ctx.config.maxClockEntries, ...(crdt === undefined ? {} : { crdt }) });
    } else {
      ctx.send(s.node, { type: MessageType.ReplicaWrite, id: 0, hash: identity.hash, bucket: identity.bucket, key: identity.key, set: encoded, hintFor: null, base: null });
    }
  }
  return repaired;
}
