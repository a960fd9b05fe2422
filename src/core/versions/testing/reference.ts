/**
 * A deliberately simple model of a sibling set for tests: a causal history (node -> counter) and a
 * map from each live dot to its value. Joins and writes are written straight from the definition
 * (a dot survives unless the other side's history covers it without holding it), to check the
 * compact DVV set against.
 */
import type { NodeId } from '../../ids.js';
import type { SiblingSet } from '../sibling-set.js';
import { compareVersions, type Version } from '../value.js';
import type { VersionVector } from '../vector.js';

export interface RefSet {
  readonly history: ReadonlyMap<NodeId, number>;
  readonly dots: ReadonlyMap<string, Version>;
}

export const dotKey = (node: NodeId, counter: number): string => `${node}#${counter}`;

export function toRef(s: SiblingSet): RefSet {
  const history = new Map<NodeId, number>();
  const dots = new Map<string, Version>();
  for (const e of s.entries) {
    history.set(e.node, e.counter);
    e.values.forEach((v, i) => dots.set(dotKey(e.node, e.counter - i), v));
  }
  return { history, dots };
}

export function refCovers(history: ReadonlyMap<NodeId, number>, dot: string): boolean {
  const at = dot.lastIndexOf('#');
  return (history.get(dot.slice(0, at)) ?? 0) >= Number(dot.slice(at + 1));
}

export function refSync(a: RefSet, b: RefSet): RefSet {
  const history = new Map(a.history);
  for (const [n, c] of b.history) history.set(n, Math.max(c, history.get(n) ?? 0));
  const dots = new Map<string, Version>();
  for (const [d, v] of a.dots) if (b.dots.has(d) || !refCovers(b.history, d)) dots.set(d, v);
  for (const [d, v] of b.dots) if (a.dots.has(d) || !refCovers(a.history, d)) dots.set(d, v);
  return { history, dots };
}

/** A client write with `context` through `coordinator`, against the local model `server`. */
export function refUpdate(context: VersionVector, value: Version, server: RefSet, coordinator: NodeId): RefSet {
  const client: RefSet = { history: new Map(context), dots: new Map() };
  const joined = refSync(client, server);
  const history = new Map(joined.history);
  const counter = (history.get(coordinator) ?? 0) + 1;
  history.set(coordinator, counter);
  const dots = new Map(joined.dots);
  dots.set(dotKey(coordinator, counter), value);
  return { history, dots };
}

export function refEqual(a: RefSet, b: RefSet): boolean {
  if (a.history.size !== b.history.size || a.dots.size !== b.dots.size) return false;
  for (const [n, c] of a.history) if (b.history.get(n) !== c) return false;
  for (const [d, v] of a.dots) {
    const w = b.dots.get(d);
    if (w === undefined || compareVersions(v, w) !== 0) return false;
  }
  return true;
}
