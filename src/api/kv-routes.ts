/**
 * /kv/{bucket}/{key}: GET (one value: 200 with the bytes; siblings: 300 with JSON; absent: 404),
 * PUT (204 with the new context) and DELETE (204). Options: r, w, strict=true, and the
 * X-Dynamo-Context header from an earlier read.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { decodeContext, encodeContext, type VersionVector } from '../core/versions/index.js';
import type { ClientResponse } from '../protocol/requests.js';
import { bucketType, MAX_TTL_MS } from '../core/buckets/index.js';
import type { CrdtUpdate } from '../protocol/requests.js';
import type { NodeRuntime } from '../runtime/node-runtime.js';
import type { NodeMetricsExporter } from '../runtime/prometheus.js';
import { errorBody, httpStatusOf } from './errors.js';
import { badRequest, sendJson, type Send } from './send.js';

export const CONTEXT_HEADER = 'x-dynamo-context';
/** On a read of an expiring value: when it expires, in ms since the epoch (the coordinator's clock). */
export const EXPIRES_HEADER = 'x-dynamo-expires-at';

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function quorumParam(params: URLSearchParams, name: 'r' | 'w'): Parsed<number | undefined> {
  const raw = params.get(name);
  if (raw === null) return { ok: true, value: undefined };
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1) return { ok: false, error: `query parameter ${name} must be a positive integer` };
  return { ok: true, value };
}

/** ?ttl=SECONDS: whole seconds, 0 for "never" (overriding the bucket's ttl_ms). */
function ttlParam(params: URLSearchParams): Parsed<number | undefined> {
  const raw = params.get('ttl');
  if (raw === null) return { ok: true, value: undefined };
  const seconds = Number(raw);
  if (!/^\d+$/.test(raw) || seconds * 1000 > MAX_TTL_MS) return { ok: false, error: `query parameter ttl must be a whole number of seconds from 0 to ${MAX_TTL_MS / 1000}` };
  return { ok: true, value: seconds * 1000 };
}

function strictParam(params: URLSearchParams): Parsed<boolean | undefined> {
  const raw = params.get('strict');
  if (raw === null) return { ok: true, value: undefined };
  if (raw === 'true' || raw === '1') return { ok: true, value: true };
  if (raw === 'false' || raw === '0') return { ok: true, value: false };
  return { ok: false, error: 'query parameter strict must be true or false' };
}

function contextHeader(headers: IncomingHttpHeaders): Parsed<VersionVector> {
  const raw = headers[CONTEXT_HEADER];
  if (raw === undefined) return { ok: true, value: [] };
  const text = Array.isArray(raw) ? raw.join('') : raw;
  const decoded = decodeContext(text.trim());
  return decoded.ok ? { ok: true, value: decoded.context } : { ok: false, error: `bad ${CONTEXT_HEADER}: ${decoded.error}` };
}

export async function kvRoute(
  runtime: NodeRuntime,
  metrics: NodeMetricsExporter,
  method: string,
  path: string[],
  params: URLSearchParams,
  headers: IncomingHttpHeaders,
  body: () => Promise<Buffer>,
  send: Send,
): Promise<void> {
  if (path.length === 1 && path[0] !== '' && params.get('keys') !== null) return listKeysRoute(runtime, method, path[0]!, params, send);
  if (path.length < 2 || path[0] === '' || path.slice(1).join('/') === '') {
    return badRequest(send, 'expected /kv/{bucket}/{key}, or /kv/{bucket}?keys=true to list keys');
  }
  const bucket = path[0]!;
  const key = path.slice(1).join('/');
  const strict = strictParam(params);
  if (!strict.ok) return badRequest(send, strict.error);
  const started = performance.now();
  const observe = (op: string, response: ClientResponse): void => {
    const seconds = (performance.now() - started) / 1000;
    metrics.observe(op, response.ok ? 'ok' : response.error, seconds);
  };
  if (method === 'GET' || method === 'HEAD') {
    const r = quorumParam(params, 'r');
    if (!r.ok) return badRequest(send, r.error);
    const response = await runtime.request({ op: 'get', bucket, key, r: r.value, strict: strict.value });
    observe('get', response);
    return writeGet(response, send);
  }
  if (method !== 'PUT' && method !== 'POST' && method !== 'DELETE') {
    return sendJson(send, 405, { error: `method ${method} is not supported on /kv`, code: 'bad_request' }, { allow: 'GET, PUT, POST, DELETE' });
  }
  const w = quorumParam(params, 'w');
  if (!w.ok) return badRequest(send, w.error);
  const context = contextHeader(headers);
  if (!context.ok) return badRequest(send, context.error);
  const type = bucketType(runtime.node.props(bucket));
  if (method === 'POST' && type !== 'kv') {
    const update = parseUpdate(type, await body());
    if (!update.ok) return badRequest(send, update.error);
    const response = await runtime.request({ op: 'update', bucket, key, update: update.value, context: context.value, w: w.value, strict: strict.value });
    observe('update', response);
    if (!response.ok) return send(httpStatusOf(response), errorBody(response), { 'content-type': 'application/json' });
    if (response.op !== 'update') return send(500);
    return send(204, undefined, { [CONTEXT_HEADER]: encodeContext(response.context) });
  }
  const op = method === 'DELETE' ? 'delete' : 'put';
  const ttl = ttlParam(params);
  if (!ttl.ok) return badRequest(send, ttl.error);
  const value = op === 'put' ? await body() : null;
  const response =
    value === null
      ? await runtime.request({ op: 'delete', bucket, key, context: context.value, w: w.value, strict: strict.value })
      : await runtime.request({ op: 'put', bucket, key, value, context: context.value, w: w.value, strict: strict.value, ttlMs: ttl.value });
  observe(op, response);
  if (!response.ok) return send(httpStatusOf(response), errorBody(response), { 'content-type': 'application/json' });
  if (response.op !== 'put' && response.op !== 'delete') return send(500);
  send(204, undefined, { [CONTEXT_HEADER]: encodeContext(response.context) });
}

function writeGet(response: ClientResponse, send: Send): void {
  if (!response.ok) return send(httpStatusOf(response), errorBody(response), { 'content-type': 'application/json' });
  if (response.op !== 'get') return send(500);
  const context = encodeContext(response.context);
  const contextHeaders: Record<string, string> = response.context.length > 0 ? { [CONTEXT_HEADER]: context } : {};
  if (response.crdt !== undefined) return sendJson(send, 200, { value: response.crdt.value }, contextHeaders);
  if (response.values.length === 0) {
    return sendJson(send, 404, { error: response.tombstone ? 'deleted' : 'not found' }, contextHeaders);
  }
  if (response.values.length === 1) {
    const expiresAtMs = response.values[0]!.expiresAtMs;
    const expiry: Record<string, string> = expiresAtMs === undefined ? {} : { [EXPIRES_HEADER]: String(expiresAtMs) };
    return send(200, response.values[0]!.data!, { 'content-type': 'application/octet-stream', ...contextHeaders, ...expiry });
  }
  const siblings = response.values.map((v) => ({ value: Buffer.from(v.data!).toString('base64'), timestampMs: v.timestampMs }));
  sendJson(send, 300, { context, siblings }, contextHeaders);
}

/** A POST body for a counter ({"increment": N}) or a set ({"add": [...], "remove": [...]}). */
function parseUpdate(type: 'counter' | 'set', raw: Buffer): Parsed<CrdtUpdate> {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, error: type === 'counter' ? 'the body must be JSON such as {"increment": 1}' : 'the body must be JSON such as {"add": ["x"], "remove": ["y"]}' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, error: 'the body must be a JSON object' };
  const fields = body as Record<string, unknown>;
  if (type === 'counter') {
    const extra = Object.keys(fields).find((k) => k !== 'increment');
    if (extra !== undefined) return { ok: false, error: `unknown field "${extra}" in a counter update (known: increment)` };
    if (typeof fields.increment !== 'number' || !Number.isSafeInteger(fields.increment)) return { ok: false, error: '"increment" must be a whole number' };
    return { ok: true, value: { type, increment: fields.increment } };
  }
  const extra = Object.keys(fields).find((k) => k !== 'add' && k !== 'remove');
  if (extra !== undefined) return { ok: false, error: `unknown field "${extra}" in a set update (known: add, remove)` };
  const add = fields.add ?? [];
  const remove = fields.remove ?? [];
  const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every((e) => typeof e === 'string');
  if (!strings(add) || !strings(remove)) return { ok: false, error: '"add" and "remove" must be lists of strings' };
  return { ok: true, value: { type, add, remove } };
}

/** GET /kv/{bucket}?keys=true[&limit=L][&cursor=C]: one page of the bucket's live keys. */
async function listKeysRoute(runtime: NodeRuntime, method: string, bucket: string, params: URLSearchParams, send: Send): Promise<void> {
  if (method !== 'GET') return sendJson(send, 405, { error: 'keys are listed with GET', code: 'bad_request' }, { allow: 'GET' });
  if (params.get('keys') !== 'true') return badRequest(send, 'query parameter keys must be true');
  const rawLimit = params.get('limit');
  if (rawLimit !== null && !/^\d{1,6}$/.test(rawLimit)) return badRequest(send, 'query parameter limit must be a positive integer');
  const limit = rawLimit === null ? undefined : Number(rawLimit);
  const response = await runtime.request({ op: 'listKeys', bucket, limit, cursor: params.get('cursor') });
  if (!response.ok) return send(httpStatusOf(response), errorBody(response), { 'content-type': 'application/json' });
  if (response.op !== 'keys') return send(500);
  sendJson(send, 200, { keys: response.keys, cursor: response.cursor });
}
