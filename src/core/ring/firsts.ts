/**
 * Who is listed first. The first owner of a partition is its default coordinator, so a node listed
 * first far more often than its share coordinates far more requests. Stealing keeps positions (a new
 * node takes the old owner's place), which would leave the first nodes of a cluster listed first in
 * nearly all of their partitions for ever (they were appended in order while the cluster was small).
 * This pass reorders lists, which moves no data, so that each node is first in about 1/N of the
 * partitions it holds. A swap happens only when the first owner sits above its share and the other
 * below, one of them by a whole slot; each swap then strictly lowers the integer deviation
 * Σ|N·firsts − slots|, so the pass ends, and an already balanced table is left untouched. Passes
 * run only while some node is two or more first places off its share, so most joins skip it.
 */
import { compareNodeIds } from './assignment.js';
import type { WorkingTable } from './table.js';

const PASSES_MAX = 8;

/** N·firsts − slots: positive when a node is listed first more than its share. */
export function firstDeviation(table: WorkingTable, n: number, width: number): number {
  return width * table.firstCount(n) - table.count(n);
}

export function balanceFirsts(table: WorkingTable, members: readonly number[]): void {
  const width = table.length(0);
  if (width < 2) return;
  for (let pass = 0; pass < PASSES_MAX; pass++) {
    if (!members.some((n) => Math.abs(firstDeviation(table, n, width)) >= 2 * width)) return;
    let swapped = false;
    for (let p = 0; p < table.partitions; p++) {
      const i = swapPartner(table, p, width);
      if (i < 0) continue;
      table.swap(p, 0, i);
      swapped = true;
    }
    if (!swapped) return;
  }
}

/** The position of the owner to list first instead of the current head, or -1 to leave p alone. */
function swapPartner(table: WorkingTable, p: number, width: number): number {
  const headDeviation = firstDeviation(table, table.at(p, 0), width);
  if (headDeviation <= 0) return -1;
  const belowBy = headDeviation >= width ? 1 : width;
  let best = -1;
  let bestDeviation = 0;
  for (let i = 1; i < width; i++) {
    const d = firstDeviation(table, table.at(p, i), width);
    if (d > -belowBy) continue;
    if (best < 0 || d < bestDeviation || (d === bestDeviation && compareNodeIds(table.idOf(table.at(p, i)), table.idOf(table.at(p, best))) < 0)) {
      best = i;
      bestDeviation = d;
    }
  }
  return best;
}
