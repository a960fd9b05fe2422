/**
 * The HTTP API as the nemesis's clients and checker use it (README "HTTP API"): reads that return
 * every sibling and the context, writes that send the context back, and the diagnostic routes
 * (/admin/local, /admin/hints, /ring, /cluster). Failures are values. A request that never reached
 * the node (connection refused) surely did nothing; one that timed out or whose connection broke
 * may have been applied, so it is `unknown`, as is a 503 (the write may have reached replicas).
 */
import { decodeContext, type VersionVector } from '../core/versions/index.js';
import type { Outcome } from '../check/history.js';
import type { ReplicaCopy } from '../check/snapshot.js';
import { send, transportCode, type HttpAccess, type SendInit } from './access.js';

export const CONTEXT_HEADER = 'x-dynamo-context';

export interface ReadValue {
  readonly data: Uint8Array;
  /** Unknown for a single value (the 200 answer carries only the bytes). */
  readonly timestampMs: number | null;
}

export type ReadResult =
  | { readonly ok: true; readonly values: readonly ReadValue[]; readonly context: string; readonly tombstone: boolean }
  | { readonly ok: false; readonly error: string };

export type WriteResult = { readonly ok: true; readonly context: string } | { readonly ok: false; readonly outcome: Outcome; readonly error: string };

export interface RequestOptions {
  readonly r?: number | undefined;
  readonly w?: number | undefined;
  readonly strict?: boolean | undefined;
  readonly timeoutMs: number;
}

function query(o: RequestOptions): string {
  const params = new URLSearchParams();
  if (o.r !== undefined) params.set('r', String(o.r));
  if (o.w !== undefined) params.set('w', String(o.w));
  if (o.strict === true) params.set('strict', 'true');
  const q = params.toString();
  return q === '' ? '' : `?${q}`;
}

const path = (bucket: string, key: string): string => `/kv/${encodeURIComponent(bucket)}/${encodeURIComponent(key)}`;

function refused(err: unknown): boolean {
  return transportCode(err) === 'ECONNREFUSED';
}

function describe(err: unknown): string {
  const e = err as { name?: string; message?: string };
  return transportCode(err) ?? e.name ?? e.message ?? String(err);
}

export async function httpGet(base: string, bucket: string, key: string, o: RequestOptions, access: HttpAccess): Promise<ReadResult> {
  try {
    const res = await send(`${base}${path(bucket, key)}${query(o)}`, {}, access, o.timeoutMs);
    const body = Buffer.from(await res.arrayBuffer());
    const context = res.headers.get(CONTEXT_HEADER) ?? '';
    if (res.status === 200) return { ok: true, values: [{ data: body, timestampMs: null }], context, tombstone: false };
    if (res.status === 404) return { ok: true, values: [], context, tombstone: context !== '' };
    if (res.status === 300) {
      const json = JSON.parse(body.toString('utf8')) as { context: string; siblings: { value: string; timestampMs?: number }[] };
      const values = json.siblings.map((s) => ({ data: Buffer.from(s.value, 'base64'), timestampMs: s.timestampMs ?? null }));
      return { ok: true, values, context: json.context, tombstone: false };
    }
    return { ok: false, error: `HTTP ${res.status}` };
  } catch (err) {
    return { ok: false, error: describe(err) };
  }
}

export async function httpWrite(base: string, bucket: string, key: string, value: Uint8Array | null, context: string, o: RequestOptions, access: HttpAccess): Promise<WriteResult> {
  try {
    const headers: Record<string, string> = context === '' ? {} : { [CONTEXT_HEADER]: context };
    const res = await send(`${base}${path(bucket, key)}${query(o)}`, {
      method: value === null ? 'DELETE' : 'PUT',
      headers,
      ...(value === null ? {} : { body: value }),
    }, access, o.timeoutMs);
    await res.arrayBuffer();
    if (res.status === 204) return { ok: true, context: res.headers.get(CONTEXT_HEADER) ?? '' };
    const maybe = res.status === 503 || res.status >= 500;
    return { ok: false, outcome: maybe ? 'unknown' : 'failed', error: `HTTP ${res.status}` };
  } catch (err) {
    return { ok: false, outcome: refused(err) ? 'failed' : 'unknown', error: describe(err) };
  }
}

export async function httpJson(url: string, access: HttpAccess, init: SendInit = {}, timeoutMs = 5000): Promise<unknown> {
  try {
    const res = await send(url, init, access, timeoutMs);
    if (!res.ok) {
      await res.arrayBuffer();
      return null;
    }
    return (await res.json()) as unknown;
  } catch {
    return null;
  }
}

export function contextVector(encoded: string): VersionVector | undefined {
  const decoded = decodeContext(encoded);
  return decoded.ok ? decoded.context : undefined;
}

interface LocalSet {
  readonly context: string;
  readonly siblings: readonly { readonly value: string | null; readonly timestampMs: number }[];
}

/** GET /admin/local/{bucket}/{key}: this node's own data copy; undefined when the node did not answer. */
export async function localCopy(base: string, access: HttpAccess, bucket: string, key: string): Promise<ReplicaCopy | null | undefined> {
  const body = (await httpJson(`${base}/admin/local/${encodeURIComponent(bucket)}/${encodeURIComponent(key)}`, access)) as { data: LocalSet | null } | null;
  if (body === null) return undefined;
  if (body.data === null) return null;
  const context = contextVector(body.data.context);
  if (context === undefined) return undefined;
  return { context, siblings: body.data.siblings.map((s) => ({ data: s.value === null ? null : Buffer.from(s.value, 'base64'), timestampMs: s.timestampMs })) };
}

export interface RingInfo {
  readonly partitions: number;
  readonly replicas: number;
  readonly owners: readonly (readonly string[])[];
  readonly members: readonly { readonly id: string; readonly httpAddress: string }[];
}

export async function ring(base: string, access: HttpAccess): Promise<RingInfo | null> {
  return (await httpJson(`${base}/ring`, access)) as RingInfo | null;
}
