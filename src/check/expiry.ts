/**
 * The expiry rule of the checker: no read returns a value after its write's ttl plus the clock
 * skew bound has passed. The coordinator stamps expiry = its clock + ttl, and a reader hides a
 * version once its own clock passes that, so with every clock within `skewBoundMs` of true time a
 * value written at true time W (the write was submitted) with ttl T is never returned by a read
 * answered after W + T + 2 * skewBoundMs. Shared by the simulator and, with real clocks, the
 * nemesis; pure, over recorded events.
 */
export interface ExpiringWrite {
  /** What identifies the written value among everything read (unique per write). */
  readonly value: string;
  readonly submittedMs: number;
  readonly ttlMs: number;
}

export interface ValueRead {
  readonly answeredMs: number;
  readonly values: readonly string[];
}

export interface ExpiryViolation {
  readonly value: string;
  readonly answeredMs: number;
  readonly expiredByMs: number;
}

export function expiryViolations(writes: readonly ExpiringWrite[], reads: readonly ValueRead[], skewBoundMs: number): ExpiryViolation[] {
  const byValue = new Map(writes.map((w) => [w.value, w]));
  const out: ExpiryViolation[] = [];
  for (const read of reads) {
    for (const value of read.values) {
      const w = byValue.get(value);
      if (w === undefined) continue;
      const deadline = w.submittedMs + w.ttlMs + 2 * skewBoundMs;
      if (read.answeredMs > deadline) out.push({ value, answeredMs: read.answeredMs, expiredByMs: read.answeredMs - deadline });
    }
  }
  return out;
}
