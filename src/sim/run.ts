/**
 * One seeded simulator run, in VOPR's two phases. Safety phase: the cart clients run while the
 * fault injector does its worst. Then every fault stops (the network heals, crashed nodes restart)
 * and the liveness phase asks the cluster to quiesce (hints delivered, nothing in flight) and its
 * replicas to converge within a bound. Without anti-entropy a replica can stay stale where no hint
 * was kept (a coordinator that crashed before its deadline), so an explicit, reported repair pass
 * (every key read at R=N, which read-repairs) may run before the final check; scenarios that must
 * converge on their own switch it off. The checker then judges the history against every primary's
 * local copy.
 */
import { seededRng } from '../core/random.js';
import { checkRun, type CheckReport, type Violation } from '../check/checker.js';
import { History } from '../check/history.js';
import { unconvergedKeys } from '../check/snapshot.js';
import { allKeys, CART_BUCKETS, DEFAULT_MIX } from '../check/workload.js';
import type { Buggify } from '../node/config.js';
import { NODE_DEFAULTS } from '../node/config.js';
import { SimCartClients } from './cart-clients.js';
import { NO_FAULTS, SimCluster } from './cluster.js';
import { FaultInjector, type FaultStats } from './fault-injector.js';
import { describePlan, drawPlan, profile, type FaultPlan, type ProfileName } from './fault-profiles.js';
import { isFormed, isQuiet, snapshotKeys, waitFor } from './snapshot.js';
import { checkExpiringRun, checkSetCartRun, expiringKeys, newSetCartClients, setCartKeys, setUpSetBucket, SimExpiringClients, type SimSetCartClients, type Workload } from './workloads.js';

export type Scenario = 'cart' | 'crash-restart';

export interface SeedOptions {
  readonly seed: number;
  readonly nodes: number;
  /** Virtual length of the safety phase (clients and faults). */
  readonly durationMs: number;
  readonly faults: ProfileName;
  readonly scenario: Scenario;
  /** kv: the cart on kv siblings and lww; set-cart: the cart on a set bucket; expiring: sessions with ttls under clock skew. */
  readonly workload: Workload;
  /** Also inject joins and leaves (off until partition transfer exists). */
  readonly membership: boolean;
  readonly buggify: Buggify;
  /** Allow the explicit repair pass when replicas have not converged on their own (never in crash-restart). */
  readonly repairPass: boolean;
  readonly clients: number;
  /** How long after healing the replicas may take to converge. */
  readonly convergeBoundMs: number;
  /** How many recent events to keep for the failure report. */
  readonly keepEvents: number;
}

export const SEED_DEFAULTS: Omit<SeedOptions, 'seed'> = {
  nodes: 5,
  durationMs: 20_000,
  faults: 'default',
  scenario: 'cart',
  workload: 'kv',
  membership: false,
  buggify: {},
  repairPass: true,
  clients: 5,
  convergeBoundMs: 30_000,
  keepEvents: 256,
};

export interface RepairPass {
  readonly keys: number;
  readonly failures: number;
  readonly readRepairs: number;
}

export interface SeedResult {
  readonly options: SeedOptions;
  readonly ok: boolean;
  readonly plan: FaultPlan;
  readonly faultStats: FaultStats;
  readonly report: CheckReport;
  /** Extra violations found by the driver itself (formation, quiescence, the repair pass). */
  readonly driverViolations: readonly string[];
  readonly quiescedAfterMs: number | null;
  /** Virtual ms from healing until every key's primaries agreed; null if they never did. */
  readonly convergedAfterMs: number | null;
  readonly repair: RepairPass | null;
  readonly traceHash: string;
  readonly events: number;
  readonly messages: number;
  readonly virtualMs: number;
  readonly recentEvents: string;
  readonly history: History;
  /** The expiring workload's recorded writes and reads (null for the other workloads). */
  readonly expiring: SimExpiringClients | null;
  /** The set-cart workload's recorded operations (null for the other workloads). */
  readonly setCart: SimSetCartClients | null;
  readonly sim: SimCluster;
}

/** A realistic epoch, so that skewed clocks stay positive. */
const START_MS = 1_700_000_000_000;
const REPLICAS = NODE_DEFAULTS.replicas;
/** How soon after healing hints must have brought restarted replicas up to date (crash-restart). */
const HANDOFF_BOUND_MS = 5_000;
/** A request's longest life (timeout plus forwarding), and how long peers take to notice a crash. */
const CRASH_GRACE_BEFORE_MS = 3_000;
const CRASH_GRACE_AFTER_MS = 1_000;

export function runSeed(partial: Partial<SeedOptions> & { seed: number }): SeedResult {
  const options: SeedOptions = { ...SEED_DEFAULTS, ...partial };
  const sim = new SimCluster({ seed: options.seed, nodes: options.nodes, startMs: START_MS, config: { buggify: options.buggify }, recentEvents: options.keepEvents });
  const plan = planFor(options, seededRng(sim.rng.int(2 ** 31)));
  const faultRng = seededRng(sim.rng.int(2 ** 31));
  const clientRng = seededRng(sim.rng.int(2 ** 31));
  const driver: string[] = [];
  const history = new History();
  const keys = options.workload === 'set-cart' ? setCartKeys() : options.workload === 'expiring' ? expiringKeys() : allKeys(CART_BUCKETS);

  if (waitFor(sim, () => isFormed(sim), 20_000) === null) driver.push('the cluster did not form within 20 s');
  if (options.workload === 'kv') setUpBuckets(sim, driver);
  else if (options.workload === 'set-cart') setUpSetBucket(sim, driver);

  const seeds = sim.nodeIds().map((id) => `${id}:7000`);
  const injector = new FaultInjector(sim, plan, profile(plan.profile), faultRng, seeds);
  const kvClients = options.workload !== 'kv' ? null : new SimCartClients(sim, history, clientRng, {
    clients: options.clients, thinkMs: [0, 30], mix: options.scenario === 'crash-restart' ? { ...DEFAULT_MIX, strictRate: 0 } : DEFAULT_MIX, buckets: CART_BUCKETS, replicas: REPLICAS,
    defaultW: NODE_DEFAULTS.bucketDefaults.w, maxClockEntries: NODE_DEFAULTS.maxClockEntries,
  });
  const setClients = options.workload === 'set-cart' ? newSetCartClients(sim, clientRng, options.clients, REPLICAS) : null;
  const expiringClients = options.workload === 'expiring' ? new SimExpiringClients(sim, clientRng, options.clients) : null;
  const clients = kvClients ?? setClients ?? expiringClients!;
  const endMs = sim.nowMs + options.durationMs;
  const crashAtMs = options.scenario === 'crash-restart' ? scriptCrashRestart(sim, options.durationMs) : null;
  if (crashAtMs === null) injector.start(endMs);
  clients.start(endMs);
  sim.runFor(options.durationMs);

  // Liveness phase: every fault ends; in-flight requests finish; the cluster quiesces and converges.
  injector.healAll();
  const healedMs = sim.nowMs;
  // A node whose clock was stepped back keeps its old time until real time catches up: its deadlines wait that long too.
  const idleBoundMs = 15_000 + 2 * profile(plan.profile).maxSkewMs;
  if (waitFor(sim, () => clients.idle, idleBoundMs) === null) driver.push(`clients still waiting ${idleBoundMs / 1000} s after healing`);
  history.closeOpen(sim.nowMs);
  setClients?.closeOpen();
  const quiescedAfterMs = waitFor(sim, () => isQuiet(sim), options.convergeBoundMs, 100);
  const converged = (): boolean => unconvergedKeys(snapshotKeys(sim, keys, REPLICAS)).length === 0;
  const boundMs = options.scenario === 'crash-restart' ? HANDOFF_BOUND_MS : options.convergeBoundMs;
  let convergedAt = waitFor(sim, converged, Math.max(0, healedMs + boundMs - sim.nowMs), 100);
  let repair: RepairPass | null = null;
  if (convergedAt === null && options.repairPass && options.scenario !== 'crash-restart') {
    repair = repairPass(sim, keys);
    if (repair.failures > 0) driver.push(`${repair.failures} of the repair pass's reads failed after healing`);
    convergedAt = waitFor(sim, converged, 10_000, 100);
  }
  const convergedAfterMs = convergedAt === null ? null : sim.nowMs - healedMs;

  const noFaults = options.faults === 'none' && !options.membership && options.scenario === 'cart';
  const skewBoundMs = plan.skews ? profile(plan.profile).maxSkewMs : 0;
  const report = setClients !== null ? checkSetCartRun(sim, setClients, REPLICAS) : expiringClients !== null ? checkExpiringRun(sim, expiringClients, skewBoundMs, REPLICAS, driver) : checkRun(history.operations, snapshotKeys(sim, keys, REPLICAS), {
    liveness: noFaults ? 'all' : options.scenario === 'crash-restart' ? 'sloppy' : 'off',
    // Requests in flight when the nodes crashed, or sent before the others noticed, may fail.
    livenessGrace: crashAtMs === null ? [] : [[crashAtMs - CRASH_GRACE_BEFORE_MS, crashAtMs + CRASH_GRACE_AFTER_MS]],
    readYourWrites: noFaults,
    replicas: REPLICAS,
    defaultR: NODE_DEFAULTS.bucketDefaults.r,
    defaultW: NODE_DEFAULTS.bucketDefaults.w,
    maxClockEntries: NODE_DEFAULTS.maxClockEntries,
  });
  if (quiescedAfterMs === null) driver.push(`the cluster did not quiesce within ${options.convergeBoundMs / 1000} s of healing`);
  return {
    options,
    ok: report.ok && driver.length === 0,
    plan,
    faultStats: injector.stats,
    report,
    driverViolations: driver,
    quiescedAfterMs,
    convergedAfterMs,
    repair,
    traceHash: sim.traceHash(),
    events: sim.eventsProcessed,
    messages: sim.messagesSent,
    virtualMs: sim.nowMs - START_MS,
    recentEvents: sim.recent.format(80, START_MS),
    history,
    expiring: expiringClients,
    setCart: setClients,
    sim,
  };
}

function planFor(options: SeedOptions, rng: ReturnType<typeof seededRng>): FaultPlan {
  if (options.scenario === 'crash-restart') return { profile: 'none', network: NO_FAULTS, splits: false, crashes: true, pauses: false, skews: false, membership: false };
  const plan = drawPlan(rng, profile(options.faults), options.membership);
  // The expiring workload is about expiry under skewed clocks: skews are always on where the profile has any.
  return options.workload === 'expiring' && profile(options.faults).maxSkewMs > 0 ? { ...plan, skews: true } : plan;
}

function setUpBuckets(sim: SimCluster, driver: string[]): void {
  for (const b of CART_BUCKETS) {
    if (b.conflict === 'siblings') continue;
    const answer = sim.call(sim.nodeIds()[0]!, { op: 'setBucket', bucket: b.name, change: { conflict: b.conflict } });
    if (!answer.ok) driver.push(`could not set bucket ${b.name}: ${answer.message}`);
  }
  const spread = (): boolean => sim.runningIds().every((id) => CART_BUCKETS.every((b) => sim.node(id).props(b.name).conflict === b.conflict));
  if (waitFor(sim, spread, 10_000) === null) driver.push('bucket properties did not reach every node within 10 s');
}

/**
 * Two of five nodes down from 30% of the safety phase until healing, the network whole: what
 * sloppy quorum and hinted handoff exist for. Every sloppy request must still succeed (some keys
 * have two of their three primaries down), and the restarted nodes must be brought up to date by
 * their hints within HANDOFF_BOUND_MS, faster than anti-entropy's round-robin would.
 */
function scriptCrashRestart(sim: SimCluster, durationMs: number): number {
  const ids = sim.nodeIds();
  const first = ids[sim.rng.int(ids.length)]!;
  const rest = ids.filter((id) => id !== first);
  const second = rest[sim.rng.int(rest.length)]!;
  const delayMs = Math.floor(durationMs * 0.3);
  sim.at(delayMs, 'crash-restart', () => {
    sim.crash(first);
    sim.crash(second);
  });
  return sim.nowMs + delayMs;
}

/** Reads every key at R=N through a running node, so read repair brings every primary up to date. */
function repairPass(sim: SimCluster, keys: readonly { bucket: string; key: string }[]): RepairPass {
  const before = totalReadRepairs(sim);
  const running = sim.runningIds();
  const pending = keys.map((k, i) => sim.submit(running[i % running.length]!, { op: 'get', bucket: k.bucket, key: k.key, r: REPLICAS }));
  waitFor(sim, () => pending.every((p) => p.response !== null), 10_000);
  sim.runFor(500);
  const failures = pending.filter((p) => p.response === null || !p.response.ok).length;
  return { keys: keys.length, failures, readRepairs: totalReadRepairs(sim) - before };
}

function totalReadRepairs(sim: SimCluster): number {
  return sim.runningIds().reduce((sum, id) => sum + sim.node(id).metrics.readRepairs, 0);
}

export function violationLines(result: SeedResult, limit = 20): string[] {
  const lines = result.driverViolations.map((v) => `driver: ${v}`);
  const all: readonly Violation[] = result.report.violations;
  for (const v of all.slice(0, limit)) lines.push(`${v.kind}: ${v.bucket}/${v.key}: ${v.detail}`);
  if (all.length > limit) lines.push(`... and ${all.length - limit} more`);
  return lines;
}

export { describePlan };
