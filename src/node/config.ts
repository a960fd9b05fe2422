/**
 * Everything a node is told at start. Validated once (validateNodeConfig) with sentences an
 * operator understands; the state machine trusts it afterwards.
 */
import { DEFAULT_BUCKET_PROPS, checkQuorums, type BucketProps } from '../core/buckets/index.js';
import type { PeerAddress } from '../core/ids.js';
import { isWeight, type MemberSpec } from '../core/membership/index.js';
import { WEIGHT_MAX } from '../core/limits.js';
import type { PhiOptions } from '../core/detector/index.js';

export interface NodeConfig {
  readonly self: MemberSpec;
  /** Owner of the dots this node mints: its id plus an incarnation of its data directory, so a node whose data was wiped never reuses a dot. */
  readonly actor: string;
  readonly seeds: readonly PeerAddress[];
  /** Ring shape used only when this node founds a new cluster; joiners adopt the cluster's. */
  readonly partitions: number;
  readonly replicas: number;
  readonly bucketDefaults: BucketProps;
  readonly requestTimeoutMs: number;
  /** A read asks R replicas first; the others too when no answer came within this time (speculative retry). */
  readonly readSpeculateMs: number;
  readonly maxValueBytes: number;
  readonly maxSiblings: number;
  readonly siblingWarnThreshold: number;
  readonly maxClockEntries: number;
  readonly tombstoneGraceMs: number;
  readonly heartbeatIntervalMs: number;
  readonly gossipIntervalMs: number;
  /** Up to this many members, every one gets each heartbeat; beyond, this many random ones do. */
  readonly heartbeatFanout: number;
  readonly seedWaitMs: number;
  readonly joinRetryMs: number;
  readonly handoffIntervalMs: number;
  /** Hint deliveries in flight at once: the admission control that keeps handoff from starving clients. */
  readonly handoffConcurrency: number;
  readonly maxPendingRequests: number;
  /** Hints this node holds for others at most; a hinted write beyond it is refused (a failed ack). */
  readonly maxHints: number;
  /** Pause between anti-entropy exchanges that found nothing to repair. */
  readonly antiEntropyIntervalMs: number;
  /** Exchanges (transfers and anti-entropy) running at once. */
  readonly transferConcurrency: number;
  /** Budget of exchange traffic (hashes, digests, sets) per second. */
  readonly transferBytesPerSec: number;
  /** After it has handed everything over, a leaving node waits this long (to spread the news) before it stops. */
  readonly leaveLingerMs: number;
  readonly detector: Partial<PhiOptions>;
  /** Deliberately broken behaviour, for proving that the simulator's checker catches bugs. Never set in production. */
  readonly buggify?: Buggify;
}

export interface Buggify {
  /** Fallbacks and coordinators keep no hints, and no hint is ever delivered. */
  readonly noHintedHandoff?: boolean;
  /** A read answers with the first reply alone instead of merging R replies. */
  readonly firstReplyWins?: boolean;
}

export const NODE_DEFAULTS = {
  partitions: 64,
  replicas: 3,
  bucketDefaults: DEFAULT_BUCKET_PROPS,
  requestTimeoutMs: 2000,
  readSpeculateMs: 50,
  maxValueBytes: 1024 * 1024,
  maxSiblings: 100,
  siblingWarnThreshold: 25,
  maxClockEntries: 10,
  tombstoneGraceMs: 60 * 60 * 1000,
  heartbeatIntervalMs: 500,
  gossipIntervalMs: 1000,
  heartbeatFanout: 16,
  seedWaitMs: 2000,
  joinRetryMs: 500,
  handoffIntervalMs: 100,
  handoffConcurrency: 64,
  maxPendingRequests: 20000,
  maxHints: 1_000_000,
  antiEntropyIntervalMs: 500,
  transferConcurrency: 4,
  transferBytesPerSec: 16 * 1024 * 1024,
  leaveLingerMs: 2000,
  detector: {},
} satisfies Omit<NodeConfig, 'self' | 'actor' | 'seeds'>;

export { BUCKET_BYTES_MAX as MAX_BUCKET_BYTES, KEY_BYTES_MAX as MAX_KEY_BYTES } from '../core/limits.js';

/** What a driver says about one node; everything else comes from NODE_DEFAULTS and `overrides`. */
export interface NodeIdentity {
  readonly self: MemberSpec;
  readonly actor: string;
  readonly seeds: readonly PeerAddress[];
}

/**
 * The one config builder of the runtime and the simulator: defaults, then the driver's overrides,
 * then the node's identity. Throws with every problem as a sentence when the result is unusable.
 */
export function buildNodeConfig(identity: NodeIdentity, overrides: Partial<Omit<NodeConfig, 'self' | 'actor' | 'seeds'>> = {}): NodeConfig {
  const config: NodeConfig = { ...NODE_DEFAULTS, ...overrides, self: identity.self, actor: identity.actor, seeds: identity.seeds };
  const problems = validateNodeConfig(config);
  if (problems.length > 0) throw new Error(`invalid configuration: ${problems.join('; ')}`);
  return config;
}

/** Returns the problems found, as sentences; empty when the config is usable. */
export function validateNodeConfig(c: NodeConfig): string[] {
  const problems: string[] = [];
  const q = c.partitions;
  if (!Number.isInteger(q) || q < 1 || q > 65536 || (q & (q - 1)) !== 0) {
    problems.push(`the partition count (${q}) must be a power of two between 1 and 65536`);
  }
  if (!Number.isInteger(c.replicas) || c.replicas < 1 || c.replicas > 16) problems.push('replicas must be between 1 and 16');
  if (!isWeight(c.self.weight)) problems.push(`the node weight must be a positive number of at most ${WEIGHT_MAX}`);
  if (c.self.id.length === 0 || c.self.id.length > 64) problems.push('the node id must have 1 to 64 characters');
  const defaults = checkQuorums(c.bucketDefaults, c.replicas);
  if (!defaults.ok) problems.push(`default bucket properties: ${defaults.error}`);
  for (const [name, value] of Object.entries(c)) {
    if (name.endsWith('Ms') && !(typeof value === 'number' && value > 0)) problems.push(`${name} must be a positive number of milliseconds`);
  }
  return problems;
}
