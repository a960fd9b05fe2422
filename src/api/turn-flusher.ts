/**
 * Answers produced in one event-loop turn, for every connection of a front end (the binary client
 * protocol, the Redis port), leave as one socket write per connection at the end of the turn: a
 * connection asks to be flushed, and `flushAll` runs either from the runtime's flush hook (right
 * after a delivery) or, failing that, from one `setImmediate`. Loopback writes were the largest CPU
 * item measured (PERF-NOTES), which is why replies are coalesced rather than written one by one.
 */
export interface Flushable {
  flush(): void;
}

export class TurnFlusher<C extends Flushable> {
  private dirty = new Set<C>();
  private scheduled: NodeJS.Immediate | undefined;

  /** Bound once, so it can be handed to a runtime as its flush hook. */
  readonly flushAll = (): void => {
    if (this.scheduled !== undefined) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.dirty.size === 0) return;
    // A fresh set rather than Set#clear (see LocalStore.endStep).
    const flushing = this.dirty;
    this.dirty = new Set();
    for (const connection of flushing) connection.flush();
  };

  request(connection: C): void {
    this.dirty.add(connection);
    this.scheduled ??= setImmediate(this.flushAll);
  }

  forget(connection: C): void {
    this.dirty.delete(connection);
  }

  /** On close: nothing more is written. */
  cancel(): void {
    if (this.scheduled !== undefined) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.dirty = new Set();
  }
}
