/**
 * Anonymous values: siblings without a dot of their own. A client's new value is one until the
 * coordinator gives it a dot; on a server the only source is LWW keeping a value that no longer
 * sits at its entry's newest dot, whose dot is then known to lie inside the set's history. They
 * are kept sorted by `compareVersions` and without duplicates, so equal sets have one form.
 */
import { compareVersions, equalVersions, type Version } from './value.js';

/** Sorted union of two sorted, duplicate-free lists. */
export function unionVersions(a: readonly Version[], b: readonly Version[]): readonly Version[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out: Version[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const c = compareVersions(a[i]!, b[j]!);
    if (c <= 0) out.push(a[i++]!);
    else out.push(b[j++]!);
    if (c === 0) j++;
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

/** Any list as a sorted, duplicate-free one. */
export function sortedVersions(list: readonly Version[]): readonly Version[] {
  const sorted = [...list].sort(compareVersions);
  return sorted.filter((v, i) => i === 0 || !equalVersions(sorted[i - 1]!, v));
}

export function isSortedUnique(list: readonly Version[]): boolean {
  for (let i = 1; i < list.length; i++) {
    if (compareVersions(list[i - 1]!, list[i]!) >= 0) return false;
  }
  return true;
}
