/**
 * Replies in command order, whatever order the commands finish in (RESP has no request ids): each
 * command takes the next slot when it starts, and a reply leaves only once every reply before it
 * has. Delivered slots are dropped once the whole window is delivered, or in one step every
 * COMPACT_SLOTS deliveries, so a connection that always has a command running keeps only its
 * window, not its history.
 */
import { assert } from '../../core/assert.js';
import type { Reply } from './encoder.js';

const COMPACT_SLOTS = 1024;

export class ReplyOrder {
  /** Slots of the commands from `base` on; those before `head` were delivered. */
  private slots: (Reply | undefined)[] = [];
  private head = 0;
  private base = 0;
  private next = 0;

  /** A slot for a command that starts now; its sequence number. */
  open(): number {
    this.slots.push(undefined);
    return this.next++;
  }

  /** Command `seq` answered `reply`: hands it, and the ready ones after it, to `emit` in order. Returns how many went. */
  settle(seq: number, reply: Reply, emit: (reply: Reply) => void): number {
    const index = seq - this.base;
    assert(index >= this.head && index < this.slots.length && this.slots[index] === undefined, 'each command is answered once');
    this.slots[index] = reply;
    if (index !== this.head) return 0;
    let emitted = 0;
    while (this.head < this.slots.length) {
      const ready = this.slots[this.head];
      if (ready === undefined) break;
      this.slots[this.head++] = undefined;
      emit(ready);
      emitted++;
    }
    if (this.head === this.slots.length || this.head >= COMPACT_SLOTS) {
      this.base += this.head;
      this.slots = this.head === this.slots.length ? [] : this.slots.slice(this.head);
      this.head = 0;
    }
    return emitted;
  }

  /** Sequence number of the first command whose reply was not delivered yet. */
  get delivered(): number {
    return this.base + this.head;
  }

  /** Commands started whose replies were not delivered yet. */
  get unanswered(): number {
    return this.next - this.delivered;
  }

  /** Slots held (the window plus delivered ones not dropped yet): bounded by unanswered + COMPACT_SLOTS. */
  get retained(): number {
    return this.slots.length;
  }
}
