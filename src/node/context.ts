/**
 * What the coordinator, replica and background modules need from the node, and nothing more.
 * The node implements it; modules never reach into each other.
 */
import type { BucketProps } from '../core/buckets/index.js';
import type { NodeId } from '../core/ids.js';
import type { PeerMessage } from '../protocol/messages.js';
import type { ClientResponse } from '../protocol/requests.js';
import type { NodeConfig } from './config.js';
import type { LogEvent } from './effects.js';
import type { LocalStore } from './replica/local-store.js';
import type { NodeMetrics } from './metrics.js';

/** Who is waiting for the answer to a client operation. */
export type ClientRef =
  | { readonly kind: 'local'; readonly requestId: number }
  | { readonly kind: 'forwarded'; readonly node: NodeId; readonly address: string; readonly id: number };

/** Where a key lives: its partition's N primaries for this bucket, then fallbacks in ring order. */
export interface Placement {
  readonly partition: number;
  readonly primaries: readonly NodeId[];
  readonly fallbacks: readonly NodeId[];
}

export interface NodeContext {
  readonly config: NodeConfig;
  readonly selfId: NodeId;
  readonly store: LocalStore;
  readonly metrics: NodeMetrics;
  now(): number;
  isUp(node: NodeId): boolean;
  /** False when the node has no known address: the caller treats it as a failed send. */
  send(node: NodeId, body: PeerMessage): boolean;
  respond(ref: ClientRef, response: ClientResponse): void;
  log(level: LogEvent['level'], msg: string, fields?: Record<string, unknown>): void;
  nextOpId(): number;
  props(bucket: string): BucketProps;
}
