/**
 * How long this node was away. A running node notes the time in its storage every few seconds; the
 * next start reads the note, so it knows how long the node was stopped. A node stopped longer than
 * the tombstone grace must not rejoin with its data, which could bring back keys deleted and
 * reaped meanwhile (reaper.ts; the runtime refuses to start it: runtime/node-runtime.ts).
 */
import { assert } from '../../core/assert.js';

/** Never more than this between two notes, whatever the grace. */
const MARK_EVERY_MS_MAX = 10_000;

export class AliveMark {
  /** The note the previous run left; null on a node that never ran. */
  private readonly atStartMs: number | null;
  private lastMarkMs = -Infinity;

  /** `stored`: the parsed note found in storage (anything else than a finite number: none). */
  constructor(stored: unknown) {
    this.atStartMs = typeof stored === 'number' && Number.isFinite(stored) ? stored : null;
  }

  /** Writes a new note through `put` when the last one is old enough (a quarter of the grace, at most 10 s). */
  tick(nowMs: number, graceMs: number, put: (nowMs: number) => void): void {
    assert(graceMs > 0, 'the tombstone grace is positive');
    const everyMs = Math.max(50, Math.min(MARK_EVERY_MS_MAX, graceMs / 4));
    if (nowMs - this.lastMarkMs < everyMs) return;
    this.lastMarkMs = nowMs;
    put(nowMs);
  }

  /** How long before `nowMs` the previous run last noted it was alive; null for a new node. */
  awayMs(nowMs: number): number | null {
    return this.atStartMs === null ? null : Math.max(0, nowMs - this.atStartMs);
  }
}
