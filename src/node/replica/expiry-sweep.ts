/**
 * The reaper's queue lives in memory: a coordinator that restarts forgets the reaps it scheduled,
 * and a write whose primaries did not all acknowledge it schedules none. This sweep finds those
 * keys again: it walks the data keys a few at a time (a cursor over the whole keyspace, so a pass
 * over a million keys takes a while and costs little per second), and for every set expired past
 * the grace schedules a reap under the usual rule (reaper.ts: every primary up and still holding
 * exactly that set). Only the key's first primary schedules, so a key is reaped once, not N times.
 */
import { digest, decodeSiblingSet } from '../../core/versions/index.js';
import type { NodeContext, Placement } from '../context.js';
import { ALL_DATA, parseKey, type KeyIdentity } from '../keys.js';
import { isPastGrace } from './expired-sets.js';
import type { StorageView } from '../storage-view.js';

/**
 * Keys examined per sweep step, and steps at most one a second: with the disk engine each key is
 * a read, so the sweep stays a trickle (a pass over a million keys takes about an hour, which is
 * the default grace), never a scan that competes with clients.
 */
const SWEEP_KEYS_PER_TICK = 256;
const SWEEP_INTERVAL_MS = 1000;

export interface SweepHost {
  readonly ctx: NodeContext;
  readonly storage: StorageView;
  placement(identity: KeyIdentity, n: number): Placement | null;
  scheduleReap(bucket: string, key: string, setDigest: Uint8Array, goneAtMs: number): void;
}

export class ExpirySweep {
  /** The next data key to look at (inclusive); the start of the keyspace again after the end. */
  private cursor: Uint8Array = ALL_DATA.from;
  private lastSweepMs = -Infinity;
  scheduled = 0;

  constructor(private readonly host: SweepHost) {}

  tick(): void {
    const { ctx, storage } = this.host;
    if (ctx.now() - this.lastSweepMs < SWEEP_INTERVAL_MS) return;
    this.lastSweepMs = ctx.now();
    let seen = 0;
    let last: Uint8Array | null = null;
    for (const { key, value } of storage.range(this.cursor, ALL_DATA.to, { limit: SWEEP_KEYS_PER_TICK })) {
      seen++;
      last = key;
      this.consider(key, value, ctx);
    }
    this.cursor = seen < SWEEP_KEYS_PER_TICK || last === null ? ALL_DATA.from : successor(last);
  }

  private consider(raw: Uint8Array, value: Uint8Array, ctx: NodeContext): void {
    // Format 1 holds no expiry at all: most keys are passed over without decoding.
    if (value[0] !== 2) return;
    const parsed = parseKey(raw);
    if (parsed === null || parsed.kind !== 'data') return;
    let set;
    try {
      set = decodeSiblingSet(value);
    } catch {
      return;
    }
    if (!isPastGrace(ctx, set)) return;
    const placement = this.host.placement(parsed, ctx.props(parsed.bucket).n);
    if (placement === null || placement.primaries[0] !== ctx.selfId) return;
    this.scheduled++;
    this.host.scheduleReap(parsed.bucket, parsed.key, digest(set), ctx.now() - ctx.config.tombstoneGraceMs);
  }
}

/** The smallest key after `key`: itself with a zero byte appended. */
function successor(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out.set(key);
  return out;
}
