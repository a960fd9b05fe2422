/**
 * The simulator's workloads besides the kv cart (run.ts): the cart on a set bucket and the
 * expiring sessions, each with its keys, its bucket set-up, its clients and its checker. run.ts
 * drives every workload through the same two phases.
 */
import { setValue, stateOf } from '../core/crdt/index.js';
import type { Rng } from '../core/random.js';
import { emptyCounts, type CheckReport, type Violation } from '../check/checker.js';
import { expiryViolations } from '../check/expiry.js';
import { checkSetCart, type SetKeyState } from '../check/set-cart.js';
import { canonicalCopy, unconvergedKeys } from '../check/snapshot.js';
import type { SimCluster } from './cluster.js';
import { EXPIRING_BUCKET, EXPIRING_KEYS, SimExpiringClients, TTL_RANGE_MS } from './expiring-clients.js';
import { SET_BUCKET, SET_KEYS, SimSetCartClients } from './set-cart-clients.js';
import { snapshotKeys, waitFor, type KeyRef } from './snapshot.js';

export type Workload = 'kv' | 'set-cart' | 'expiring';
export const WORKLOADS: readonly Workload[] = ['kv', 'set-cart', 'expiring'];

export function setCartKeys(): KeyRef[] {
  return Array.from({ length: SET_KEYS }, (_, i) => ({ bucket: SET_BUCKET, key: `k${i}`, conflict: 'siblings' as const }));
}

export function expiringKeys(): KeyRef[] {
  return Array.from({ length: EXPIRING_KEYS }, (_, i) => ({ bucket: EXPIRING_BUCKET, key: `s${i}`, conflict: 'siblings' as const }));
}

/** Makes the cart bucket a set bucket and waits until every node knows. */
export function setUpSetBucket(sim: SimCluster, driver: string[]): void {
  const answer = sim.call(sim.nodeIds()[0]!, { op: 'setBucket', bucket: SET_BUCKET, change: { type: 'set' } });
  if (!answer.ok) driver.push(`could not make ${SET_BUCKET} a set bucket: ${answer.message}`);
  const spread = (): boolean => sim.runningIds().every((id) => sim.node(id).props(SET_BUCKET).type === 'set');
  if (waitFor(sim, spread, 10_000) === null) driver.push('the set bucket type did not reach every node within 10 s');
}

export function newSetCartClients(sim: SimCluster, rng: Rng, clients: number, replicas: number): SimSetCartClients {
  return new SimSetCartClients(sim, rng, { clients, thinkMs: [0, 30], replicas });
}

export function checkSetCartRun(sim: SimCluster, clients: SimSetCartClients, replicas: number): CheckReport {
  const finals: SetKeyState[] = snapshotKeys(sim, setCartKeys(), replicas).map((state) => ({
    state,
    elements: new Map(state.primaries.map((n) => {
      const local = sim.localData(n, state.bucket, state.key);
      if (local === undefined) return [n, null];
      const s = stateOf('set', local);
      return [n, s.type === 'set' ? setValue(s.set) : null];
    })),
  }));
  return checkSetCart(clients.operations, finals);
}

/**
 * After healing: waits until every write's ttl plus twice the skew bound has passed, then reads
 * every key at R=N through every node, so the rule also judges the state the run ended in.
 */
export function checkExpiringRun(sim: SimCluster, clients: SimExpiringClients, skewBoundMs: number, replicas: number, driver: string[]): CheckReport {
  const lastExpiry = clients.writes.reduce((max, w) => Math.max(max, w.submittedMs + w.ttlMs), 0);
  const readAfter = lastExpiry + 2 * skewBoundMs + 100;
  if (sim.nowMs < readAfter) sim.runFor(readAfter - sim.nowMs);
  const final = clients.readAll(expiringKeys().map((k) => k.key), replicas);
  if (waitFor(sim, final.answered, 10_000) === null) driver.push('the final reads of the expiring keys were not all answered within 10 s');
  const found = expiryViolations(clients.writes, clients.reads, skewBoundMs);
  const c = clients.counts;
  const counts = { ...emptyCounts(clients.writes.length + c.readsOk + c.readsFailed), keys: EXPIRING_KEYS, writesAcked: c.putsAcked, writesFailed: c.putsFailed, readsOk: c.readsOk, readsFailed: c.readsFailed, expiredReads: found.length };
  const violations: Violation[] = found.map((v) => ({
    kind: 'expired-read', bucket: EXPIRING_BUCKET, key: v.value.split('.')[0]!, detail: `${v.value} was read at ${v.answeredMs}, ${v.expiredByMs} ms past its ttl plus twice the skew bound (${skewBoundMs} ms)`,
  }));
  for (const state of unconvergedKeys(snapshotKeys(sim, expiringKeys(), replicas))) {
    counts.unconvergedKeys++;
    violations.push({ kind: 'unconverged', bucket: state.bucket, key: state.key, detail: state.primaries.map((n) => `${n}: ${canonicalCopy(state.copies.get(n) ?? null).slice(0, 120)}`).join(' | ') });
  }
  if (!clients.reads.some((r) => r.values.length > 0)) driver.push('no read of the expiring workload saw a live value: the rule checked nothing');
  return { counts, violations, ok: violations.length === 0 };
}

export { SimExpiringClients, SimSetCartClients, TTL_RANGE_MS };
