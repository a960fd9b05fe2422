/**
 * A bounded ring of the simulator's most recent events (node, kind, message type, detail), kept so
 * that a failing seed can print what happened just before it failed. Fixed capacity: recording is
 * O(1) and the memory does not grow with the length of the run.
 */
import { assert } from '../core/assert.js';

export interface RecentEvent {
  readonly atMs: number;
  readonly node: string;
  readonly kind: string;
  readonly detail: string;
}

export class RecentEvents {
  private readonly ring: (RecentEvent | undefined)[];
  private next = 0;
  private total = 0;

  constructor(readonly capacity = 256) {
    assert(Number.isInteger(capacity) && capacity > 0, 'the ring holds at least one event');
    this.ring = new Array<RecentEvent | undefined>(capacity);
  }

  record(atMs: number, node: string, kind: string, detail = ''): void {
    this.ring[this.next] = { atMs, node, kind, detail };
    this.next = (this.next + 1) % this.capacity;
    this.total++;
  }

  /** The last `count` events, oldest first. */
  last(count = this.capacity): RecentEvent[] {
    const n = Math.min(count, this.total, this.capacity);
    const out: RecentEvent[] = [];
    for (let i = n; i > 0; i--) out.push(this.ring[(this.next - i + this.capacity) % this.capacity]!);
    return out;
  }

  get recorded(): number {
    return this.total;
  }

  /** The last `count` events not matching `skip` (heartbeats drown everything else), one per line. */
  format(count = 60, startMs = 0, skip?: RegExp): string {
    const events = this.last().filter((e) => skip === undefined || !skip.test(e.detail));
    return events
      .slice(-count)
      .map((e) => `${((e.atMs - startMs) / 1000).toFixed(3).padStart(9)} s  ${e.node.padEnd(5)} ${e.kind.padEnd(12)} ${e.detail}`)
      .join('\n');
  }
}
