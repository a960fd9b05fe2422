/**
 * This node's local, decentralised view of which peers are up: a phi-accrual detector per peer fed
 * by every message that arrives (heartbeats and real traffic), plus the transport's word that a
 * connection failed, which is faster than any timeout when a process dies. A down peer is routed
 * around; it never leaves the ring because of this view.
 */
import { assert } from '../../core/assert.js';
import { PhiAccrualDetector, type PhiOptions } from '../../core/detector/index.js';
import type { NodeId } from '../../core/ids.js';

interface PeerView {
  readonly detector: PhiAccrualDetector;
  connectionDown: boolean;
}

export class Liveness {
  private readonly peers = new Map<NodeId, PeerView>();

  constructor(private readonly options: Partial<PhiOptions>) {}

  private view(node: NodeId): PeerView {
    let v = this.peers.get(node);
    if (v === undefined) {
      v = { detector: new PhiAccrualDetector(this.options), connectionDown: false };
      this.peers.set(node, v);
    }
    return v;
  }

  heard(node: NodeId, nowMs: number): void {
    assert(node.length > 0 && Number.isFinite(nowMs), 'a heartbeat names its peer and a time');
    const v = this.view(node);
    v.detector.heartbeat(nowMs);
    v.connectionDown = false;
  }

  connectionLost(node: NodeId): void {
    this.view(node).connectionDown = true;
  }

  connectionUp(node: NodeId): void {
    this.view(node).connectionDown = false;
  }

  /** Optimistic about peers never heard from: the transport reports a dead one within a connect attempt. */
  isUp(node: NodeId, nowMs: number): boolean {
    const v = this.peers.get(node);
    if (v === undefined) return true;
    if (v.connectionDown) return false;
    return v.detector.lastHeartbeatMs() === null || v.detector.isAvailable(nowMs);
  }

  /** The peers this view keeps state for. */
  ids(): IterableIterator<NodeId> {
    return this.peers.keys();
  }

  phi(node: NodeId, nowMs: number): number {
    return this.peers.get(node)?.detector.phi(nowMs) ?? 0;
  }
}
