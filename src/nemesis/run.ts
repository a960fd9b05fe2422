/**
 * One nemesis run against real node processes: start the cluster from the build, run the cart
 * clients over HTTP while faults hit real sockets and processes, then heal, wait until the cluster
 * is formed and quiet and every key's primaries agree, and run the shared checker on the history
 * and the primaries' own copies.
 *
 * Everything started is stopped by PID and every firewall rule added is removed: in a finally, and
 * on SIGINT/SIGTERM (the handlers clean up synchronously, then exit).
 */
import { seededRng } from '../core/random.js';
import { checkRun, type CheckReport } from '../check/checker.js';
import { History } from '../check/history.js';
import { unconvergedKeys, type KeyState } from '../check/snapshot.js';
import { allKeys, CART_BUCKETS, DEFAULT_MIX } from '../check/workload.js';
import { httpGet, httpJson } from './http-client.js';
import { cartTransport, type CartProtocol } from './cart-transport.js';
import { CartClients, sleep } from './clients.js';
import { formed, quiet, snapshot, type KeyRef } from './cluster-state.js';
import { ProcessFaults, type FaultStats } from './faults.js';
import { ensureNft, Firewall } from './firewall.js';
import { buildExists, NodeProcesses } from './processes.js';
import { addCartUser, prepareSecurity } from './security.js';

export interface NemesisOptions {
  readonly nodes: number;
  readonly durationMs: number;
  readonly clients: number;
  /** How the cart clients talk to the cluster: HTTP, or the TypeScript client ('native'). */
  readonly protocol: CartProtocol;
  readonly seed: number;
  readonly basePort: number;
  readonly addressBase: number;
  /** Inject network splits (needs root and nftables; installed from Debian when missing and allowed). */
  readonly partitions: boolean;
  readonly installNft: boolean;
  readonly convergeBoundMs: number;
  readonly keepData: boolean;
  /** Mutual TLS, HTTPS and users (security.ts): the clients and the checker go over TLS as root. */
  readonly secure: boolean;
  readonly log: (line: string) => void;
}

export const NEMESIS_DEFAULTS: Omit<NemesisOptions, 'log'> = {
  nodes: 5,
  durationMs: 120_000,
  clients: 4,
  protocol: 'http',
  seed: 1,
  basePort: 24_000,
  addressBase: 100,
  partitions: true,
  installNft: true,
  convergeBoundMs: 90_000,
  keepData: false,
  secure: false,
};

export interface NemesisResult {
  readonly ok: boolean;
  readonly problems: readonly string[];
  readonly report: CheckReport | null;
  readonly faults: FaultStats;
  readonly faultLog: readonly string[];
  readonly partitions: { readonly enabled: boolean; readonly why: string };
  readonly convergedAfterMs: number | null;
  readonly repairPass: { readonly keys: number; readonly failures: number } | null;
  readonly elapsedMs: number;
}

const REPLICAS = 3;
const UID_BASE = 42_000;

export async function runNemesis(partial: Partial<NemesisOptions> = {}): Promise<NemesisResult> {
  const o: NemesisOptions = { ...NEMESIS_DEFAULTS, log: (line) => console.log(line), ...partial };
  if (!buildExists()) throw new Error('the build is missing (dist/cli/main.js): run `npm run build` first');
  const firewallCheck = o.partitions ? ensureNft(o.installNft, o.log) : { ok: false, why: 'disabled by --no-partitions' };
  const asRoot = process.getuid?.() === 0;
  const nodes = new NodeProcesses({ nodes: o.nodes, basePort: o.basePort, addressBase: o.addressBase, separateUids: asRoot, uidBase: UID_BASE, storage: 'disk' });
  const firewall = firewallCheck.ok ? new Firewall() : null;
  const cleanup = (): void => {
    firewall?.close();
    nodes.killAllNow();
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    o.log(`nemesis: ${signal}: removing firewall rules and stopping the nodes`);
    cleanup();
    if (!o.keepData) nodes.removeData();
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', cleanup);
  try {
    if (!(await nodes.portsFree())) throw new Error(`ports ${o.basePort + 1}.. on 127.0.0.${o.addressBase + 1}.. are in use`);
    firewall?.open();
    if (o.secure) nodes.secure(await prepareSecurity(nodes));
    return await phases(o, nodes, firewall, firewallCheck);
  } finally {
    firewall?.close();
    await nodes.stopAll();
    if (!o.keepData) nodes.removeData();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', cleanup);
  }
}

export async function waitUntil(check: () => Promise<boolean>, maxMs: number, stepMs = 500): Promise<number | null> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start >= maxMs) return null;
    await sleep(stepMs);
  }
}

async function phases(o: NemesisOptions, nodes: NodeProcesses, firewall: Firewall | null, fw: { ok: boolean; why: string }): Promise<NemesisResult> {
  const t0 = Date.now();
  const now = (): number => Date.now() - t0;
  const problems: string[] = [];
  const rng = seededRng(o.seed);
  for (const s of nodes.specs) nodes.start(s.index);
  if ((await waitUntil(() => formed(nodes), 60_000)) === null) throw new Error(`the cluster did not form within 60 s\n${nodes.logTail(1)}`);
  await setUpBuckets(nodes, problems);
  o.log(`nemesis: ${o.nodes} ${o.secure ? 'secure ' : ''}nodes formed in ${(now() / 1000).toFixed(1)} s; partitions ${fw.ok ? 'on (nftables, per-node uids)' : `OFF: ${fw.why}`}`);

  const history = new History();
  const clientAccess = o.secure ? await addCartUser(nodes, CART_BUCKETS[0]!.name) : nodes.access;
  const transport = await cartTransport(o.protocol, nodes, clientAccess);
  const clients = new CartClients(transport, nodes, history, seededRng(rng.int(2 ** 31)), now, {
    clients: o.clients, mix: DEFAULT_MIX, buckets: CART_BUCKETS, replicas: REPLICAS, timeoutMs: 5000, thinkMs: 20,
  });
  const faults = new ProcessFaults(nodes, firewall, seededRng(rng.int(2 ** 31)), now);
  const end = now() + o.durationMs;
  try {
    await Promise.all([clients.run(end), faults.run(end)]);
  } finally {
    await transport.close();
  }
  history.closeOpen(now());

  faults.healAll();
  const healedMs = now();
  o.log(`nemesis: ${history.operations.length} operations; healed at ${(healedMs / 1000).toFixed(1)} s; waiting for the cluster to form, quiesce and converge`);
  if ((await waitUntil(() => formed(nodes), 60_000)) === null) problems.push('the cluster did not re-form within 60 s of healing');
  if ((await waitUntil(() => quiet(nodes), 60_000)) === null) problems.push('hints still pending 60 s after healing');
  const keys: KeyRef[] = allKeys(CART_BUCKETS);
  let states: KeyState[] | null = null;
  const converged = async (): Promise<boolean> => {
    states = await snapshot(nodes, keys, REPLICAS);
    return states !== null && unconvergedKeys(states).length === 0;
  };
  let convergedAt = await waitUntil(converged, Math.max(0, healedMs + o.convergeBoundMs - now()), 1000);
  let repairPass: NemesisResult['repairPass'] = null;
  if (convergedAt === null) {
    o.log('nemesis: not converged within the bound; running the repair pass (every key read at R=N)');
    repairPass = await repair(nodes, keys);
    if (repairPass.failures > 0) problems.push(`${repairPass.failures} reads of the repair pass failed`);
    convergedAt = await waitUntil(converged, 30_000, 1000);
  }
  const convergedAfterMs = convergedAt === null ? null : now() - healedMs;
  const finalStates = states ?? (await snapshot(nodes, keys, REPLICAS));
  if (finalStates === null) problems.push('could not read the final state of every primary');
  const report = finalStates === null ? null : checkRun(history.operations, finalStates, { liveness: 'off', replicas: REPLICAS });
  return {
    ok: problems.length === 0 && report !== null && report.ok,
    problems,
    report,
    faults: faults.stats,
    faultLog: faults.log,
    partitions: { enabled: fw.ok, why: fw.why },
    convergedAfterMs,
    repairPass,
    elapsedMs: now(),
  };
}

export async function setUpBuckets(nodes: NodeProcesses, problems: string[]): Promise<void> {
  for (const b of CART_BUCKETS) {
    if (b.conflict === 'siblings') continue;
    const set = await httpJson(`${nodes.url(1)}/buckets/${b.name}`, nodes.access, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ conflict: b.conflict }) });
    if (set === null) problems.push(`could not set bucket ${b.name}`);
    const spread = async (): Promise<boolean> => {
      for (const s of nodes.specs) {
        const props = (await httpJson(`${nodes.url(s.index)}/buckets/${b.name}`, nodes.access)) as { conflict?: string; props?: { conflict?: string } } | null;
        if ((props?.props?.conflict ?? props?.conflict) !== b.conflict) return false;
      }
      return true;
    };
    if ((await waitUntil(spread, 30_000)) === null) problems.push(`bucket ${b.name} did not reach every node`);
  }
}

/** Reads every key at R=N, so that read repair brings every primary up to date. */
export async function repair(nodes: NodeProcesses, keys: readonly KeyRef[]): Promise<{ keys: number; failures: number }> {
  let failures = 0;
  for (const [i, k] of keys.entries()) {
    const node = nodes.specs[i % nodes.specs.length]!.index;
    const r = await httpGet(nodes.url(node), k.bucket, k.key, { r: REPLICAS, timeoutMs: 10_000 }, nodes.access);
    if (!r.ok) failures++;
  }
  await sleep(2000);
  return { keys: keys.length, failures };
}
