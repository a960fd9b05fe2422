/**
 * The one shape every operation in flight on a node has (a client read or write it coordinates, a
 * forward, a hint delivery, an exchange): the node files it by id, starts it, routes replies to it
 * by its kind, tells it about deadlines and dead peers, and drops it once it is done.
 */
import type { NodeId } from '../core/ids.js';

export type OperationKind = 'get' | 'put' | 'forward' | 'handoff' | 'exchange' | 'reap' | 'listKeys';

export interface NodeOperation {
  readonly kind: OperationKind;
  /** Unique among the node's operations in flight (nextOpId); replies name it. */
  readonly id: number;
  /** True once it has answered and needs nothing more; the node then drops it. */
  readonly done: boolean;
  /** When onDeadline is called if it is not done by then. */
  readonly deadlineMs: number;
  start(): void;
  onDeadline(): void;
  onPeerDown(node: NodeId): void;
}
