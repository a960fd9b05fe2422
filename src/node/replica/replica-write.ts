/**
 * A replica's side of a write (the paper's "the coordinator sends the new version to the N highest
 * ranked reachable nodes"): merge the coordinator's set into the local copy, or, when the write is
 * a hint for another node (sloppy quorum), into the hint store, then acknowledge. A hint is held
 * only for a member (a stranger cannot make this node keep data for made-up targets) and while the
 * hint store is under its limit; a refused hint is a failed ack, so the coordinator counts the miss
 * and keeps its own copy.
 */
import { assert } from '../../core/assert.js';
import type { NodeId, PeerAddress } from '../../core/ids.js';
import { decodeSiblingSet } from '../../core/versions/index.js';
import { MessageType, type PeerMessage, type ReplicaWrite } from '../../protocol/messages.js';
import type { NodeContext } from '../context.js';
import { mergeOptions } from './merge-options.js';

export interface ReplicaWriteHost {
  readonly ctx: NodeContext;
  isMember(node: NodeId): boolean;
  sendTo(address: PeerAddress, body: PeerMessage): void;
}

export function applyReplicaWrite(host: ReplicaWriteHost, from: NodeId, fromAddress: PeerAddress, body: ReplicaWrite): void {
  const { ctx } = host;
  assert(body.hash.length === 16, 'the decoder checked the key hash');
  let ok = true;
  try {
    const identity = { hash: body.hash, bucket: body.bucket, key: body.key };
    const merge = mergeOptions(ctx.props(body.bucket), ctx.config);
    if (body.hintFor === null || body.hintFor === ctx.selfId) ctx.store.mergeWrite(identity, body.set, body.base, merge);
    else if (host.isMember(body.hintFor) && ctx.store.hintCount < ctx.config.maxHints) {
      ctx.store.mergeHint(identity, body.hintFor, decodeSiblingSet(body.set), merge);
      ctx.metrics.hintsStored++;
    } else {
      ok = false;
      ctx.metrics.hintsRefused++;
    }
  } catch (err) {
    ok = false;
    ctx.metrics.badMessages++;
    ctx.log('warn', 'rejected a replica write', { from, error: (err as Error).message });
  }
  // Id 0 is a write nobody waits for (read repair, handoff to self): no ack.
  if (body.id !== 0) host.sendTo(fromAddress, { type: MessageType.WriteAck, id: body.id, ok });
}
