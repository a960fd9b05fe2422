/**
 * A small world for property tests: three replicas (nodes a, b, c) of one key, clients that read
 * a context from some replica (or from all, merged), keep it for a while and write with it (or
 * with none) through any coordinator, and replicas that sync pairwise. Every write has a unique
 * value, so a dot names one value everywhere, as in the real store. Every state any replica goes
 * through is recorded, so tests can pick several consistent sets of one history.
 */
import fc from 'fast-check';
import type { NodeId } from '../../ids.js';
import { context, fresh, sync, update, withContext, type SiblingSet } from '../sibling-set.js';
import { truncate } from '../truncate.js';
import type { Version } from '../value.js';
import type { VersionVector } from '../vector.js';

export const NODES: readonly NodeId[] = ['a', 'b', 'c'];
export const EMPTY: SiblingSet = { entries: [], anonymous: [] };

export type Command =
  | { readonly kind: 'read'; readonly from: number | 'all' }
  | { readonly kind: 'put'; readonly coordinator: number; readonly context: number | null; readonly tombstone: boolean }
  | { readonly kind: 'sync'; readonly from: number; readonly to: number };

export const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('read' as const), from: fc.oneof(fc.nat(2), fc.constant('all' as const)) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('put' as const),
      coordinator: fc.nat(2),
      context: fc.option(fc.nat(20), { freq: 4 }),
      tombstone: fc.nat(4).map((n) => n === 0),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('sync' as const), from: fc.nat(2), to: fc.nat(2) }) },
);

export const commandsArb = fc.array(commandArb, { minLength: 1, maxLength: 40 });

export interface World {
  readonly replicas: SiblingSet[];
  readonly snapshots: SiblingSet[];
  readonly contexts: VersionVector[];
  readonly written: Version[];
}

export interface WorldOptions {
  /** Truncate every replica after each step to this many entries (keeping its own node's). */
  readonly maxEntries?: number;
}

export function runWorld(commands: readonly Command[], options: WorldOptions = {}): World {
  const world: World = { replicas: NODES.map(() => EMPTY), snapshots: [EMPTY], contexts: [], written: [] };
  let clockMs = 1000;
  for (const c of commands) {
    clockMs += 1;
    if (c.kind === 'read') world.contexts.push(context(readSet(world, c.from)));
    else if (c.kind === 'put') set(world, c.coordinator, put(world, c, clockMs), options);
    else set(world, c.to, sync(world.replicas[c.to]!, world.replicas[c.from]!), options);
  }
  return world;
}

function readSet(world: World, from: number | 'all'): SiblingSet {
  return from === 'all' ? world.replicas.reduce(sync) : world.replicas[from]!;
}

function put(world: World, c: Extract<Command, { kind: 'put' }>, clockMs: number): SiblingSet {
  const value: Version = { data: c.tombstone ? null : Buffer.from(`w${world.written.length}`), timestampMs: clockMs };
  world.written.push(value);
  const ctx = c.context === null || world.contexts.length === 0 ? null : world.contexts[c.context % world.contexts.length]!;
  const client = ctx === null ? fresh(value) : withContext(ctx, value);
  const local = world.replicas[c.coordinator]!;
  return update(client, local === EMPTY ? undefined : local, NODES[c.coordinator]!, clockMs);
}

function set(world: World, replica: number, s: SiblingSet, options: WorldOptions): void {
  const next = options.maxEntries === undefined ? s : truncate(s, options.maxEntries, NODES[replica]);
  world.replicas[replica] = next;
  world.snapshots.push(next);
}

/** Three states from one world's history (repeats allowed), for the lattice laws. */
export const threeSetsArb = (options: WorldOptions = {}) =>
  fc
    .tuple(commandsArb, fc.nat(), fc.nat(), fc.nat())
    .map(([commands, i, j, k]) => {
      const { snapshots } = runWorld(commands, options);
      const pick = (n: number): SiblingSet => snapshots[n % snapshots.length]!;
      return [pick(i), pick(j), pick(k)] as const;
    });
