/**
 * Redis runs a connection's commands one after the other; this port runs them at once, which is
 * what makes pipelines fast here. The two differ only when commands touch the same key, so a
 * command waits while an earlier command of its connection that touches one of its keys is not
 * finished, when either of them writes: `DEL k` then `GET k` in one pipeline reads after the
 * delete, as in Redis, while GETs (or writes of different keys) still run together.
 *
 * Several of the data commands are a read then a write (SET in a siblings bucket, NX/XX/GET,
 * GETDEL, DEL): without this, a later command of the pipeline could overtake the write.
 */
import { assert } from '../../core/assert.js';

export interface Access {
  /** The keys the command touches, already qualified by bucket. */
  readonly keys: readonly string[];
  readonly write: boolean;
}

interface Entry {
  readonly access: Access;
  readonly start: (finished: () => void) => void;
  started: boolean;
}

export class KeyOrder {
  /** Unfinished commands that touch keys, in command order, started or waiting. */
  private pending: Entry[] = [];
  private counts = new Map<string, { reads: number; writes: number }>();
  private waiting = 0;
  private draining = false;

  /** Starts `start` now, or once no earlier conflicting command is unfinished; it calls `finished` once. */
  submit(access: Access, start: (finished: () => void) => void): void {
    const entry: Entry = { access, start, started: false };
    const blocked = this.waiting > 0 ? this.conflictsBefore(this.pending.length, access) : this.conflictsCounted(access);
    this.pending.push(entry);
    this.count(access, 1);
    if (blocked) this.waiting++;
    else this.begin(entry);
  }

  /** Unfinished commands (started or waiting): bounded by the connection's in-flight limit. */
  get size(): number {
    return this.pending.length;
  }

  private begin(entry: Entry): void {
    entry.started = true;
    let done = false;
    entry.start(() => {
      assert(!done, 'a command finishes once');
      done = true;
      this.finish(entry);
    });
  }

  private finish(entry: Entry): void {
    const at = this.pending.indexOf(entry);
    assert(at >= 0, 'a finished command was pending');
    this.pending.splice(at, 1);
    this.count(entry.access, -1);
    // A command started here may finish at once and come back in: the outer loop rescans for it.
    if (this.waiting === 0 || this.draining) return;
    this.draining = true;
    for (let i = 0; i < this.pending.length; i++) {
      const next = this.pending[i]!;
      if (next.started || this.conflictsBefore(i, next.access)) continue;
      this.waiting--;
      this.begin(next);
      i = -1;
    }
    this.draining = false;
  }

  /** Whether `access` conflicts with any unfinished command (all of them are earlier). */
  private conflictsCounted(access: Access): boolean {
    for (const key of access.keys) {
      const c = this.counts.get(key);
      if (c !== undefined && (c.writes > 0 || (access.write && c.reads > 0))) return true;
    }
    return false;
  }

  /** Whether `access` conflicts with one of the first `end` unfinished commands. */
  private conflictsBefore(end: number, access: Access): boolean {
    for (let i = 0; i < end; i++) {
      const other = this.pending[i]!.access;
      if (!other.write && !access.write) continue;
      for (const key of access.keys) if (other.keys.includes(key)) return true;
    }
    return false;
  }

  private count(access: Access, delta: 1 | -1): void {
    for (const key of access.keys) {
      let c = this.counts.get(key);
      if (c === undefined) this.counts.set(key, (c = { reads: 0, writes: 0 }));
      if (access.write) c.writes += delta;
      else c.reads += delta;
      if (c.reads === 0 && c.writes === 0) this.counts.delete(key);
    }
  }
}
