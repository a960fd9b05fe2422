/**
 * Reading the simulated cluster's final state for the checker: every key's primaries (from the ring
 * as the running nodes see it) and each primary's own copy, with no coordination involved.
 */
import { digest } from '../core/membership/index.js';
import { copyOfSet, type ConflictMode, type KeyState } from '../check/snapshot.js';
import type { SimCluster } from './cluster.js';

export interface KeyRef {
  readonly bucket: string;
  readonly key: string;
  readonly conflict: ConflictMode;
}

export function snapshotKeys(sim: SimCluster, keys: readonly KeyRef[], replicas: number): KeyState[] {
  return keys.map((k) => {
    const primaries = sim.primaries(k.bucket, k.key, replicas);
    const copies = new Map(primaries.map((node) => [node, copyOfSet(sim.localData(node, k.bucket, k.key))]));
    return { bucket: k.bucket, key: k.key, conflict: k.conflict, primaries, copies };
  });
}

/**
 * The cluster is quiet: every running node sees every other running node up and no member joining
 * or leaving, and none holds hints, has transfers pending or operations in flight.
 */
export function isQuiet(sim: SimCluster): boolean {
  const running = sim.runningIds();
  for (const a of running) {
    const node = sim.node(a);
    const m = node.membership();
    if (m === null || m.members.some((x) => x.state === 'joining' || x.state === 'leaving')) return false;
    if (node.store.hintCount > 0 || node.pendingOperations() > 0) return false;
    if (node.sync.stats.pendingIn > 0 || node.sync.stats.pendingOut > 0) return false;
    for (const b of running) if (!node.isUp(b)) return false;
  }
  return true;
}

/** Every running node sees every running node up, and all share one membership with nobody joining or leaving. */
export function isFormed(sim: SimCluster): boolean {
  const running = sim.runningIds();
  const views = new Set<string>();
  for (const a of running) {
    const node = sim.node(a);
    const m = node.membership();
    if (m === null || m.members.some((x) => x.state !== 'up' && x.state !== 'left')) return false;
    views.add(digest(m));
    for (const b of running) if (!node.isUp(b) || !m.members.some((x) => x.id === b)) return false;
  }
  return views.size === 1;
}

/** Runs the simulation until `done` holds, checking every `stepMs`; the virtual ms it took, or null past `maxMs`. */
export function waitFor(sim: SimCluster, done: () => boolean, maxMs: number, stepMs = 50): number | null {
  const start = sim.nowMs;
  for (;;) {
    if (done()) return sim.nowMs - start;
    if (sim.nowMs - start >= maxMs) return null;
    sim.runFor(Math.min(stepMs, maxMs - (sim.nowMs - start)));
  }
}
