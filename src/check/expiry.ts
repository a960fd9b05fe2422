/**
 * The expiry rule of the checker: no value is readable after its expiry plus the clock skew bound.
 * The coordinator stamps expiry = its clock + ttl before it acknowledges, and a reader hides a
 * version once its own clock passes that. With every clock within `skewBoundMs` of true time:
 *
 *  - by the stamp: a read that started after stamped expiry + skewBoundMs does not return it (the
 *    reader's clock was past the stamp for the whole read);
 *  - by the write: a value acknowledged at true time A with ttl T was stamped at most A + T +
 *    skewBoundMs, so no read that started after A + T + 2 * skewBoundMs returns it.
 *
 * A read is judged from when it started: it may take effect at any moment until it is answered (a
 * node paused after deciding delays the answer, not the decision). A write never acknowledged was
 * stamped at some unknown time: only the stamp judges reads of it. Shared by the simulator and,
 * with real clocks, the nemesis; pure, over recorded events.
 */
export interface ExpiringWrite {
  /** What identifies the written value among everything read (unique per write). */
  readonly value: string;
  readonly submittedMs: number;
  readonly ttlMs: number;
  /** When it was acknowledged; null: never (failed, or no answer); undefined: taken as acknowledged at submission. */
  readonly ackedMs?: number | null;
}

export interface ValueRead {
  /** When the read was sent; undefined: judged from answeredMs. */
  readonly invokedMs?: number;
  readonly answeredMs: number;
  readonly values: readonly string[];
  /** The expiry each value carried (parallel to values; undefined: none or not known). */
  readonly expiresAtMs?: readonly (number | undefined)[];
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
    const startedMs = read.invokedMs ?? read.answeredMs;
    read.values.forEach((value, i) => {
      const w = byValue.get(value);
      const stamped = read.expiresAtMs?.[i];
      const deadlines: number[] = [];
      if (stamped !== undefined) deadlines.push(stamped + skewBoundMs);
      if (w !== undefined && w.ackedMs !== null) deadlines.push((w.ackedMs ?? w.submittedMs) + w.ttlMs + 2 * skewBoundMs);
      if (deadlines.length === 0) return;
      const deadline = Math.min(...deadlines);
      if (startedMs > deadline) out.push({ value, answeredMs: read.answeredMs, expiredByMs: startedMs - deadline });
    });
  }
  return out;
}
