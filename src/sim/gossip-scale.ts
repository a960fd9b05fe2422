/**
 * Scale mode: how membership gossip behaves at a thousand nodes. The cluster starts already formed
 * (every node's storage holds the same membership, as after a restart), so no time goes into
 * forming it; then one new node joins through a seed, and the run measures how long (in gossip
 * rounds of `gossipIntervalMs`) until every node holds the joiner, and until every node holds the
 * final membership (the joiner up). A joiner that comes up broadcasts its new state to every member,
 * so the plain run mostly measures one broadcast; `gossipOnly` cuts that broadcast off so that the
 * news enters at the seeds and spreads by heartbeat digests and gossip exchanges alone. Partition balance at that size is computed directly from the
 * membership with the ring's claim (max/mean and min/mean partition-replicas per node).
 */
import { admit, assignmentOf, digest, getMember, newCluster, type Membership, type MemberSpec } from '../core/membership/index.js';
import { replicaCounts } from '../core/ring/index.js';
import { NODE_DEFAULTS } from '../node/config.js';
import { metaKey } from '../node/keys.js';
import { createCrashableMemoryEngine } from '../storage/memory.js';
import { SimCluster } from './cluster.js';

export interface GossipScaleOptions {
  readonly seed: number;
  readonly nodes: number;
  readonly partitions: number;
  /** Give up after this much virtual time. */
  readonly maxVirtualMs: number;
  readonly tickIntervalMs: number;
  /**
   * Cut the joiner off from every node but its seeds (one way), so that its own broadcast reaches
   * only them and the news spreads by gossip alone: the epidemic's speed, not one broadcast's.
   */
  readonly gossipOnly: boolean;
}

export const GOSSIP_DEFAULTS: Omit<GossipScaleOptions, 'seed'> = { nodes: 1000, partitions: 4096, maxVirtualMs: 60_000, tickIntervalMs: 50, gossipOnly: false };

export interface Balance {
  readonly nodes: number;
  readonly partitions: number;
  readonly replicas: number;
  readonly mean: number;
  readonly max: number;
  readonly min: number;
  /** max / mean: 1 is perfect. */
  readonly ratio: number;
}

export interface GossipScaleResult {
  readonly options: GossipScaleOptions;
  readonly gossipIntervalMs: number;
  /** Virtual ms from the join request until every node knows the joiner; null if never. */
  readonly knownAfterMs: number | null;
  /** Virtual ms until every node holds the same membership with the joiner up; null if never. */
  readonly convergedAfterMs: number | null;
  readonly messages: number;
  readonly events: number;
  readonly balance: Balance;
  readonly traceHash: string;
}

const spec = (id: string): MemberSpec => ({ id, address: `${id}:7000`, httpAddress: `${id}:8000`, clientAddress: null, weight: 1 });
const nodeId = (i: number, width: number): string => `n${String(i).padStart(width, '0')}`;

export function formedMembership(nodes: number, partitions: number, replicas: number): Membership {
  const width = String(nodes).length;
  let m = newCluster(spec(nodeId(1, width)), partitions, replicas);
  for (let i = 2; i <= nodes; i++) m = admit(m, spec(nodeId(i, width)), 'up');
  return m;
}

export function balanceOf(m: Membership): Balance {
  const counts = [...replicaCounts(assignmentOf(m)).values()];
  const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
  const max = Math.max(...counts);
  const min = Math.min(...counts);
  return { nodes: counts.length, partitions: m.partitions, replicas: m.replicas, mean, max, min, ratio: max / mean };
}

export function runGossipScale(partial: Partial<GossipScaleOptions> & { seed: number }): GossipScaleResult {
  const options: GossipScaleOptions = { ...GOSSIP_DEFAULTS, ...partial };
  const m = formedMembership(options.nodes, options.partitions, NODE_DEFAULTS.replicas);
  const stored = Buffer.from(JSON.stringify(m));
  const sim = new SimCluster({ seed: options.seed, nodes: 0, tickIntervalMs: options.tickIntervalMs, config: { partitions: options.partitions } });
  const seeds = m.members.slice(0, 3).map((x) => x.address);
  for (const member of m.members) {
    const engine = createCrashableMemoryEngine();
    engine.stage(metaKey('membership'), stored);
    engine.commitSync();
    sim.addNode(member.id, seeds, engine);
  }
  sim.runFor(NODE_DEFAULTS.gossipIntervalMs);
  const joiner = 'joiner';
  const startMs = sim.nowMs;
  sim.addNode(joiner, seeds);
  const ids = sim.nodeIds();
  if (options.gossipOnly) sim.cutOneWay([joiner], ids.filter((id) => id !== joiner && !seeds.includes(`${id}:7000`)));
  const knows = (): boolean => ids.every((id) => getMember(sim.node(id).membership() ?? m, joiner) !== undefined);
  const knownAfterMs = sim.runUntil(knows, options.maxVirtualMs) ? sim.nowMs - startMs : null;
  const agreed = (): boolean => {
    const first = sim.node(joiner).membership();
    if (first === null || getMember(first, joiner)?.state !== 'up') return false;
    const d = digest(first);
    return ids.every((id) => {
      const mine = sim.node(id).membership();
      return mine !== null && digest(mine) === d;
    });
  };
  // Cut off, the joiner cannot pull its partitions from most owners, so it stays joining: only the spread is measured.
  const converged = !options.gossipOnly && pollUntil(sim, agreed, Math.max(0, startMs + options.maxVirtualMs - sim.nowMs), 100);
  const convergedAfterMs = converged ? sim.nowMs - startMs : null;
  const final = sim.node(joiner).membership() ?? m;
  return {
    options,
    gossipIntervalMs: NODE_DEFAULTS.gossipIntervalMs,
    knownAfterMs,
    convergedAfterMs,
    messages: sim.messagesSent,
    events: sim.eventsProcessed,
    balance: balanceOf(final),
    traceHash: sim.traceHash(),
  };
}

/** Checking `done` after every event is costly at this size: check every `stepMs` instead. */
function pollUntil(sim: SimCluster, done: () => boolean, maxMs: number, stepMs: number): boolean {
  const end = sim.nowMs + maxMs;
  while (!done()) {
    if (sim.nowMs >= end) return false;
    sim.runFor(Math.min(stepMs, end - sim.nowMs));
  }
  return true;
}
