/**
 * Bucket properties: per-bucket replication (n), default quorums (r, w), conflict mode and strict
 * mode. Validation lives here, once, with sentences a user understands; the HTTP API and the
 * node both call it.
 */
export type ConflictMode = 'siblings' | 'lww';

/** What a bucket's values are: opaque bytes with siblings, or a CRDT the store merges itself. */
export type BucketType = 'kv' | 'counter' | 'set';

/** The longest bucket default ttl: 100 years, so expiry times stay far inside safe integers. */
export const MAX_TTL_MS = 100 * 365 * 24 * 3600 * 1000;

export interface BucketProps {
  readonly n: number;
  readonly r: number;
  readonly w: number;
  readonly conflict: ConflictMode;
  readonly strict: boolean;
  /** Default expiry of the bucket's writes; absent or 0: none. (Optional: tables gossiped by older nodes lack it.) */
  readonly ttlMs?: number;
  /** Absent: 'kv'. */
  readonly type?: BucketType;
}

export function bucketType(props: BucketProps): BucketType {
  return props.type ?? 'kv';
}

export const DEFAULT_BUCKET_PROPS: BucketProps = { n: 3, r: 2, w: 2, conflict: 'siblings', strict: false };

export type PropsResult = { ok: true; props: BucketProps } | { ok: false; error: string };

const KNOWN = new Set(['n', 'r', 'w', 'conflict', 'strict', 'ttl_ms', 'type']);

/** Applies a user-supplied change (parsed JSON) to `current`, checking every field and the quorum laws. */
export function applyBucketChange(current: BucketProps, change: unknown, maxN: number): PropsResult {
  if (typeof change !== 'object' || change === null || Array.isArray(change)) {
    return { ok: false, error: 'bucket properties must be a JSON object such as {"n":3,"r":2,"w":2,"conflict":"siblings"}' };
  }
  const fields = change as Record<string, unknown>;
  for (const name of Object.keys(fields)) {
    if (!KNOWN.has(name)) return { ok: false, error: `unknown bucket property "${name}" (known: n, r, w, conflict, strict, ttl_ms, type)` };
  }
  const next: { -readonly [K in keyof BucketProps]: BucketProps[K] } = { ...current };
  for (const name of ['n', 'r', 'w'] as const) {
    const value = fields[name];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      return { ok: false, error: `"${name}" must be a positive integer` };
    }
    next[name] = value;
  }
  if (fields.conflict !== undefined) {
    if (fields.conflict !== 'siblings' && fields.conflict !== 'lww') {
      return { ok: false, error: '"conflict" must be "siblings" or "lww"' };
    }
    next.conflict = fields.conflict;
  }
  if (fields.strict !== undefined) {
    if (typeof fields.strict !== 'boolean') return { ok: false, error: '"strict" must be true or false' };
    next.strict = fields.strict;
  }
  const data = applyDataModel(next, fields);
  return data === null ? checkQuorums(next, maxN) : { ok: false, error: data };
}

/** ttl_ms and type; null when they are fine. Whether the type may still change is the node's check. */
function applyDataModel(next: { -readonly [K in keyof BucketProps]: BucketProps[K] }, fields: Record<string, unknown>): string | null {
  const ttl = fields.ttl_ms;
  if (ttl !== undefined) {
    if (typeof ttl !== 'number' || !Number.isSafeInteger(ttl) || ttl < 0 || ttl > MAX_TTL_MS) {
      return `"ttl_ms" must be a whole number of milliseconds from 0 (no expiry) to ${MAX_TTL_MS}`;
    }
    next.ttlMs = ttl;
  }
  if (fields.type !== undefined) {
    if (fields.type !== 'kv' && fields.type !== 'counter' && fields.type !== 'set') return '"type" must be "kv", "counter" or "set"';
    next.type = fields.type;
  }
  if (bucketType(next) !== 'kv' && (next.ttlMs ?? 0) > 0) return 'expiry ("ttl_ms") applies to kv buckets only, not to counters or sets';
  if (bucketType(next) !== 'kv' && next.conflict === 'lww') return 'counters and sets merge themselves: "conflict" must stay "siblings" for them';
  return null;
}

/**
 * Properties in their stored and gossiped form (BucketProps, `ttlMs`), checked by the same rules
 * as a change from the API: what a peer or a data directory hands us is no more trusted than a user.
 */
export function parseStoredProps(raw: unknown, maxN: number): PropsResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, error: 'bucket properties must be an object' };
  const { ttlMs, ...rest } = raw as Record<string, unknown>;
  return applyBucketChange(DEFAULT_BUCKET_PROPS, ttlMs === undefined ? rest : { ...rest, ttl_ms: ttlMs }, maxN);
}

export function checkQuorums(props: BucketProps, maxN: number): PropsResult {
  if (props.n > maxN) {
    return { ok: false, error: `"n" is ${props.n} but the ring keeps ${maxN} replicas per partition; n can be at most ${maxN}` };
  }
  if (props.r > props.n) return { ok: false, error: `"r" (${props.r}) cannot exceed "n" (${props.n})` };
  if (props.w > props.n) return { ok: false, error: `"w" (${props.w}) cannot exceed "n" (${props.n})` };
  return { ok: true, props };
}
