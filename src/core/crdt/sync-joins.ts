/**
 * sync() for a counter or set key. sync drops an anonymous value when the other copy's history
 * covers its own; for resolveCrdt's join that is not enough. A copy can cover the join's history
 * while still holding, as a sibling, a dot the join superseded (it has that write but not the
 * join): sync drops the sibling as superseded by the join, and the join as superseded by the copy,
 * and whatever only the two of them held is lost from both (issue 17: a joiner's add, joined on a
 * replica, was dropped by the read that met both). Such a join is kept: joining a counter or set
 * with an older state of itself loses nothing and brings nothing back.
 */
import { assert } from '../assert.js';
import { unionVersions } from '../versions/anonymous.js';
import { compareSets, sync, type SiblingSet } from '../versions/sibling-set.js';
import type { Version } from '../versions/value.js';

export function syncKeepingJoins(a: SiblingSet, b: SiblingSet): SiblingSet {
  const synced = sync(a, b);
  const kept = unionVersions(droppedJoin(a, b), droppedJoin(b, a));
  if (kept.length === 0) return synced;
  const anonymous = unionVersions(synced.anonymous, kept);
  assert(anonymous.length > synced.anonymous.length, 'a kept join was one sync dropped');
  return { entries: synced.entries, anonymous };
}

/** x's anonymous values when sync drops them (y has seen x's history) although y holds a dot x superseded. */
function droppedJoin(x: SiblingSet, y: SiblingSet): readonly Version[] {
  if (x.anonymous.length === 0 || compareSets(x, y) !== 'before') return [];
  return supersedesSiblingOf(x, y) ? x.anonymous : [];
}

/** Whether x's history holds, as superseded, a dot y still holds as a sibling. */
function supersedesSiblingOf(x: SiblingSet, y: SiblingSet): boolean {
  for (const ey of y.entries) {
    if (ey.values.length === 0) continue;
    const ex = x.entries.find((e) => e.node === ey.node);
    // Dots above counter - values.length are an entry's siblings; those at or below, its history.
    if (ex !== undefined && ex.counter - ex.values.length > ey.counter - ey.values.length) return true;
  }
  return false;
}
