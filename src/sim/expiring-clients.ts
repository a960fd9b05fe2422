/**
 * Session clients with expiry on the simulator (issue 17): each client loops over puts of a unique
 * value with a short ttl (no context: the newest write supersedes nothing it did not see, so
 * siblings are fine) and reads, through random running nodes. Every put is recorded when it is
 * submitted, answered or not (an unanswered put may still have been applied), and every answered
 * read with the true (virtual) time it was answered at; check/expiry.ts judges them.
 */
import type { Rng } from '../core/random.js';
import type { ExpiringWrite, ValueRead } from '../check/expiry.js';
import type { ClientResponse } from '../protocol/requests.js';
import type { PendingRequest, SimCluster } from './cluster.js';

export const EXPIRING_BUCKET = 'sessions';
export const EXPIRING_KEYS = 8;
/** The ttl of each put is drawn from this range (ms). */
export const TTL_RANGE_MS: readonly [number, number] = [300, 4_000];

export interface ExpiringCounts {
  putsAcked: number;
  putsFailed: number;
  readsOk: number;
  readsFailed: number;
}

export class SimExpiringClients {
  readonly writes: { -readonly [K in keyof ExpiringWrite]: ExpiringWrite[K] }[] = [];
  readonly reads: ValueRead[] = [];
  readonly counts: ExpiringCounts = { putsAcked: 0, putsFailed: 0, readsOk: 0, readsFailed: 0 };
  private readonly busy: boolean[];
  private seq = 0;
  private stopAtMs = 0;

  constructor(
    private readonly sim: SimCluster,
    private readonly rng: Rng,
    private readonly clients: number,
  ) {
    this.busy = Array.from({ length: clients }, () => false);
  }

  start(stopAtMs: number): void {
    this.stopAtMs = stopAtMs;
    for (let i = 0; i < this.clients; i++) this.sim.at(this.rng.int(31), `client c${i + 1}`, () => this.next(i));
  }

  get idle(): boolean {
    return this.busy.every((b) => !b);
  }

  /** Reads every key through every running node (after healing): each answer is judged like the others. */
  readAll(keys: readonly string[], r: number): { answered: () => boolean } {
    let open = 0;
    for (const id of this.sim.runningIds()) {
      for (const key of keys) {
        open++;
        this.sim.submit(id, { op: 'get', bucket: EXPIRING_BUCKET, key, r }, (resp, pending) => {
          open--;
          this.record(resp, pending);
        });
      }
    }
    return { answered: () => open === 0 };
  }

  private node(): string {
    const running = this.sim.runningIds();
    return running[this.rng.int(running.length)]!;
  }

  private next(i: number): void {
    if (this.sim.nowMs >= this.stopAtMs) {
      this.busy[i] = false;
      return;
    }
    this.busy[i] = true;
    const done = (): void => this.sim.at(this.rng.int(41), `client c${i + 1}`, () => this.next(i));
    const key = `s${this.rng.int(EXPIRING_KEYS)}`;
    if (this.rng.next() < 0.4) {
      const [lo, hi] = TTL_RANGE_MS;
      const ttlMs = lo + this.rng.int(hi - lo + 1);
      const value = `${key}.c${i + 1}.${++this.seq}`;
      // Until an acknowledgement arrives, when the coordinator stamped the expiry is not known (null).
      const write = { value, submittedMs: this.sim.nowMs, ttlMs, ackedMs: null as number | null };
      this.writes.push(write);
      this.sim.submit(this.node(), { op: 'put', bucket: EXPIRING_BUCKET, key, value: Buffer.from(value, 'utf8'), context: [], ttlMs }, (r, pending) => {
        if (r.ok) this.counts.putsAcked++;
        else this.counts.putsFailed++;
        if (r.ok) write.ackedMs = pending.answeredMs;
        done();
      });
      return;
    }
    this.sim.submit(this.node(), { op: 'get', bucket: EXPIRING_BUCKET, key }, (r, pending) => {
      this.record(r, pending);
      done();
    });
  }

  private record(r: ClientResponse, pending: PendingRequest): void {
    if (!r.ok || r.op !== 'get' || pending.answeredMs === null) {
      this.counts.readsFailed++;
      return;
    }
    this.counts.readsOk++;
    const values = r.values.map((v) => (v.data === null ? '' : Buffer.from(v.data).toString('utf8')));
    this.reads.push({ invokedMs: pending.sentMs, answeredMs: pending.answeredMs, values, expiresAtMs: r.values.map((v) => v.expiresAtMs) });
  }
}
