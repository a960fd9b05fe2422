/**
 * One written value (a sibling) as the store keeps it: the bytes, or `null` for a tombstone (a
 * delete is a write like any other, so it can supersede and be superseded causally), and the
 * coordinator's wall clock when it was written, used by last-writer-wins and for display.
 *
 * `compareVersions` is the one total order on versions. LWW picks its maximum, and sibling sets
 * keep their anonymous values sorted by it, so equal sets have equal encodings and digests.
 */
export interface Version {
  readonly data: Uint8Array | null;
  readonly timestampMs: number;
  /**
   * When this version stops being readable (the coordinator's clock, absolute ms), absent for
   * never. Stamped once by the coordinator, so every replica agrees on it (expiry.ts).
   */
  readonly expiresAtMs?: number;
}

export function version(data: Uint8Array, timestampMs: number): Version {
  return { data, timestampMs };
}

export function tombstone(timestampMs: number): Version {
  return { data: null, timestampMs };
}

/** Older first: by timestamp, then a tombstone below any data, then the data bytes, then the expiry (never last). */
export function compareVersions(a: Version, b: Version): number {
  if (a.timestampMs !== b.timestampMs) return a.timestampMs < b.timestampMs ? -1 : 1;
  if (a.data !== b.data) {
    if (a.data === null) return -1;
    if (b.data === null) return 1;
    const c = compareBytes(a.data, b.data);
    if (c !== 0) return c;
  }
  const ea = a.expiresAtMs ?? Infinity;
  const eb = b.expiresAtMs ?? Infinity;
  return ea === eb ? 0 : ea < eb ? -1 : 1;
}

export function equalVersions(a: Version, b: Version): boolean {
  return compareVersions(a, b) === 0;
}

/** Lexicographic, a proper prefix first (native: values can be megabytes). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}
