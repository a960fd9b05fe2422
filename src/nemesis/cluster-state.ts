/**
 * What the nemesis asks the running cluster after the faults: is it formed and quiet, and what does
 * every primary of every key hold (for the checker, via GET /ring and GET /admin/local).
 */
import { keyHash, partitionOf } from '../core/ring/index.js';
import type { KeyState, ReplicaCopy } from '../check/snapshot.js';
import type { ConflictMode } from '../check/snapshot.js';
import { scheme } from './access.js';
import { httpJson, localCopy, ring } from './http-client.js';
import type { NodeProcesses } from './processes.js';

interface ClusterView {
  readonly members: readonly { readonly id: string; readonly state: string; readonly up: boolean }[];
}

/** Every node answers /cluster and sees every node up. */
export async function formed(nodes: NodeProcesses): Promise<boolean> {
  for (const s of nodes.specs) {
    const view = (await httpJson(`${nodes.url(s.index)}/cluster`, nodes.access)) as ClusterView | null;
    if (view === null) return false;
    for (const other of nodes.specs) if (!view.members.some((m) => m.id === other.id && m.up && m.state === 'up')) return false;
  }
  return true;
}

/** No node holds hints. */
export async function quiet(nodes: NodeProcesses): Promise<boolean> {
  for (const s of nodes.specs) {
    const hints = (await httpJson(`${nodes.url(s.index)}/admin/hints`, nodes.access)) as { pending: number } | null;
    if (hints === null || hints.pending > 0) return false;
  }
  return true;
}

export interface KeyRef {
  readonly bucket: string;
  readonly key: string;
  readonly conflict: ConflictMode;
}

/** Every key's primaries (from node 1's ring) and their local copies; null if the ring or a primary did not answer. */
export async function snapshot(nodes: NodeProcesses, keys: readonly KeyRef[], replicas: number): Promise<KeyState[] | null> {
  const info = await ring(nodes.url(nodes.specs[0]!.index), nodes.access);
  if (info === null) return null;
  const addressOf = new Map(info.members.map((m) => [m.id, `${scheme(nodes.access)}://${m.httpAddress}`]));
  const states: KeyState[] = [];
  for (const k of keys) {
    const primaries = (info.owners[partitionOf(keyHash(k.bucket, k.key), info.partitions)] ?? []).slice(0, replicas);
    const copies = new Map<string, ReplicaCopy | null>();
    for (const node of primaries) {
      const base = addressOf.get(node);
      const copy = base === undefined ? undefined : await localCopy(base, nodes.access, k.bucket, k.key);
      if (copy === undefined) return null;
      copies.set(node, copy);
    }
    states.push({ bucket: k.bucket, key: k.key, conflict: k.conflict, primaries, copies });
  }
  return states;
}
