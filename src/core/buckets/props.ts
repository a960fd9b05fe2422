/**
 * Bucket properties: per-bucket replication (n), default quorums (r, w), conflict mode and strict
 * mode. Validation lives here, once, with sentences a user understands; the HTTP API and the
 * node both call it.
 */
export type ConflictMode = 'siblings' | 'lww';

export interface BucketProps {
  readonly n: number;
  readonly r: number;
  readonly w: number;
  readonly conflict: ConflictMode;
  readonly strict: boolean;
}

export const DEFAULT_BUCKET_PROPS: BucketProps = { n: 3, r: 2, w: 2, conflict: 'siblings', strict: false };

export type PropsResult = { ok: true; props: BucketProps } | { ok: false; error: string };

const KNOWN = new Set(['n', 'r', 'w', 'conflict', 'strict']);

/** Applies a user-supplied change (parsed JSON) to `current`, checking every field and the quorum laws. */
export function applyBucketChange(current: BucketProps, change: unknown, maxN: number): PropsResult {
  if (typeof change !== 'object' || change === null || Array.isArray(change)) {
    return { ok: false, error: 'bucket properties must be a JSON object such as {"n":3,"r":2,"w":2,"conflict":"siblings"}' };
  }
  const fields = change as Record<string, unknown>;
  for (const name of Object.keys(fields)) {
    if (!KNOWN.has(name)) return { ok: false, error: `unknown bucket property "${name}" (known: n, r, w, conflict, strict)` };
  }
  const next = { ...current };
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
  return checkQuorums(next, maxN);
}

export function checkQuorums(props: BucketProps, maxN: number): PropsResult {
  if (props.n > maxN) {
    return { ok: false, error: `"n" is ${props.n} but the ring keeps ${maxN} replicas per partition; n can be at most ${maxN}` };
  }
  if (props.r > props.n) return { ok: false, error: `"r" (${props.r}) cannot exceed "n" (${props.n})` };
  if (props.w > props.n) return { ok: false, error: `"w" (${props.w}) cannot exceed "n" (${props.n})` };
  return { ok: true, props };
}
