/**
 * The cart workload and the checker across real interfaces. Runs inside the lab's client
 * namespace (namespaces.ts): starts one node per node namespace, bound to its own address, runs
 * the cart clients over HTTP through a fixed schedule of faults (one node's link taken down, a
 * node SIGKILLed and restarted), heals, waits until the cluster is formed, quiet and converged,
 * and runs the shared lost-write checker on the history and every primary's copy.
 */
import { seededRng } from '../core/random.js';
import { checkRun, type CheckReport } from '../check/checker.js';
import { History } from '../check/history.js';
import { unconvergedKeys, type KeyState } from '../check/snapshot.js';
import { allKeys, CART_BUCKETS, DEFAULT_MIX } from '../check/workload.js';
import { cartTransport } from '../nemesis/cart-transport.js';
import { CartClients, sleep } from '../nemesis/clients.js';
import { formed, quiet, snapshot, type KeyRef } from '../nemesis/cluster-state.js';
import { NodeProcesses } from '../nemesis/processes.js';
import { repair, setUpBuckets, waitUntil } from '../nemesis/run.js';
import { NetLab } from './namespaces.js';

export interface LabRunOptions {
  readonly tag: string;
  readonly nodes: number;
  /** Length of each phase: calm, link down, calm, node killed, calm. */
  readonly phaseMs: number;
  readonly clients: number;
  readonly seed: number;
  readonly convergeBoundMs: number;
  readonly log: (line: string) => void;
}

export interface LabRunResult {
  readonly ok: boolean;
  readonly problems: string[];
  readonly report: CheckReport | null;
  readonly convergedAfterMs: number | null;
  readonly operations: number;
  readonly faultLog: string[];
}

const REPLICAS = 3;
const PEER_PORT = 33700;

export async function runLab(o: LabRunOptions): Promise<LabRunResult> {
  const lab = new NetLab({ tag: o.tag, nodes: o.nodes, impairment: { delayMs: 6, jitterMs: 4, lossPercent: 0.5 } });
  // Every node has its own network stack: the same ports on every address.
  const nodes = new NodeProcesses({
    nodes: o.nodes, basePort: PEER_PORT, addressBase: 0, separateUids: false, uidBase: 0, storage: 'disk',
    hostOf: (i) => lab.address(i), launcher: (i) => lab.launcher(i),
  });
  try {
    return await phases(o, lab, nodes);
  } finally {
    for (let i = 1; i <= o.nodes; i++) lab.setLink(i, true);
    await nodes.stopAll();
    nodes.removeData();
  }
}

async function phases(o: LabRunOptions, lab: NetLab, nodes: NodeProcesses): Promise<LabRunResult> {
  const t0 = Date.now();
  const now = (): number => Date.now() - t0;
  const problems: string[] = [];
  const faultLog: string[] = [];
  const note = (line: string): void => {
    faultLog.push(`${(now() / 1000).toFixed(1)} s  ${line}`);
    o.log(`netlab: ${line}`);
  };
  for (const s of nodes.specs) nodes.start(s.index);
  if ((await waitUntil(() => formed(nodes), 90_000)) === null) throw new Error(`the cluster did not form within 90 s\n${nodes.logTail(1)}`);
  await setUpBuckets(nodes, problems);
  note(`${o.nodes} nodes formed across ${o.nodes} namespaces`);
  const history = new History();
  const transport = await cartTransport('http', nodes, nodes.access);
  const clients = new CartClients(transport, nodes, history, seededRng(o.seed), now, {
    clients: o.clients, mix: DEFAULT_MIX, buckets: CART_BUCKETS, replicas: REPLICAS, timeoutMs: 5000, thinkMs: 20,
  });
  const cut = 1 + (o.seed % o.nodes);
  const victim = 1 + ((o.seed + 2) % o.nodes);
  const schedule = async (): Promise<void> => {
    await sleep(o.phaseMs);
    note(`link of n${cut} down (its namespace cut off from the bridge)`);
    lab.setLink(cut, false);
    await sleep(o.phaseMs);
    lab.setLink(cut, true);
    note(`link of n${cut} up`);
    await sleep(o.phaseMs);
    note(`n${victim} killed (SIGKILL)`);
    await nodes.kill(victim);
    await sleep(o.phaseMs);
    nodes.start(victim);
    note(`n${victim} restarted on its data`);
  };
  const end = now() + 5 * o.phaseMs;
  try {
    await Promise.all([clients.run(end), schedule()]);
  } finally {
    await transport.close();
  }
  history.closeOpen(now());
  const healedMs = now();
  note(`${history.operations.length} operations; healed; waiting for the cluster to form, quiesce and converge`);
  if ((await waitUntil(() => formed(nodes), 60_000)) === null) problems.push('the cluster did not re-form within 60 s of healing');
  if ((await waitUntil(() => quiet(nodes), 60_000)) === null) problems.push('hints still pending 60 s after healing');
  const keys: KeyRef[] = allKeys(CART_BUCKETS);
  let states: KeyState[] | null = null;
  const converged = async (): Promise<boolean> => {
    states = await snapshot(nodes, keys, REPLICAS);
    return states !== null && unconvergedKeys(states).length === 0;
  };
  let convergedAt = await waitUntil(converged, Math.max(0, healedMs + o.convergeBoundMs - now()), 1000);
  if (convergedAt === null) {
    note('not converged within the bound: repair pass (every key read at R=N)');
    const pass = await repair(nodes, keys);
    if (pass.failures > 0) problems.push(`${pass.failures} reads of the repair pass failed`);
    convergedAt = await waitUntil(converged, 30_000, 1000);
    if (convergedAt === null) problems.push('not converged even after the repair pass');
  }
  const convergedAfterMs = convergedAt === null ? null : now() - healedMs;
  const finalStates = states ?? (await snapshot(nodes, keys, REPLICAS));
  if (finalStates === null) problems.push('could not read the final state of every primary');
  const report = finalStates === null ? null : checkRun(history.operations, finalStates, { liveness: 'off', replicas: REPLICAS });
  return { ok: problems.length === 0 && report !== null && report.ok, problems, report, convergedAfterMs, operations: history.operations.length, faultLog };
}
