/**
 * How Redis keys map onto the store, and the reads and writes the data commands are made of.
 *
 * A Redis key is a key of the connection's bucket: `--resp-bucket` (default "redis"), or the one
 * chosen with DYNAMO.BUCKET. The whole Redis key is the dynamo key, colons included, so the
 * `user:1000` names Redis users write stay one key each (not a bucket per prefix). Keys must be
 * UTF-8 text, because dynamo keys are strings: a binary key is refused rather than mapped lossily
 * onto another key.
 *
 * The port's default bucket is made `lww` the first time the port serves a data command, unless
 * someone already set that bucket's properties: Redis users expect a SET to replace the value, and
 * accept the last writer winning. A bucket in `siblings` mode is reachable too (DYNAMO.BUCKET): its
 * GET refuses to pick one of several siblings (-CONFLICT), DYNAMO.GETALL returns all of them with
 * the context, and DYNAMO.PUT writes the merge back with that context.
 */
import { isUtf8 } from 'node:buffer';
import type { ClientError, ClientResponse, GetResult, WriteResult } from '../../protocol/requests.js';
import type { VersionVector } from '../../core/versions/index.js';
import { assert, assertNever } from '../../core/assert.js';
import { error, type Reply } from './encoder.js';
import type { CommandContext } from './types.js';

export type KeyName = { ok: true; key: string } | { ok: false; reply: Reply };

const NOT_UTF8 = error('ERR keys must be UTF-8 text (dynamo keys are strings)');

export function keyName(raw: Buffer): KeyName {
  if (!isAscii(raw) && !isUtf8(raw)) return { ok: false, reply: NOT_UTF8 };
  return { ok: true, key: raw.toString('utf8') };
}

function isAscii(raw: Buffer): boolean {
  for (let i = 0; i < raw.length; i++) if (raw[i]! > 0x7f) return false;
  return true;
}

/** The reply for a failed operation; the code word lets a client tell retryable failures apart. */
export function errorReply(response: ClientError, suffix = ''): Reply {
  switch (response.error) {
    case 'bad_request':
    case 'too_large':
    case 'too_many_siblings':
      return error(`ERR ${response.message}${suffix}`);
    case 'quorum_failed': {
      const counts = response.needed === undefined ? '' : ` (needed ${response.needed}, acked ${response.acked ?? 0})`;
      return error(`QUORUM ${response.message}${counts}; a failed write may still have reached some replicas${suffix}`);
    }
    case 'overloaded':
      return error(`OVERLOADED ${response.message}${suffix}`);
    case 'unavailable':
      return error(`UNAVAILABLE ${response.message}${suffix}`);
    case 'wrong_type':
      return error(`WRONGTYPE Operation against a key holding the wrong kind of value${suffix}`);
    case 'too_many_elements':
      return error(`ERR ${response.message}${suffix}`);
    case 'unauthenticated':
      return error(`NOAUTH Authentication required.${suffix}`);
    case 'forbidden':
      return error(`NOPERM ${response.message}${suffix}`);
    default:
      return assertNever(response.error);
  }
}

export function conflictReply(key: string, siblings: number): Reply {
  return error(`CONFLICT '${key}' has ${siblings} siblings; DYNAMO.GETALL returns them with their context, DYNAMO.PUT writes the merge`);
}

/** A read gave one value, none, or siblings (more than one live value). */
export type ReadOutcome =
  | { readonly kind: 'absent'; readonly context: VersionVector }
  | { readonly kind: 'value'; readonly value: Uint8Array; readonly context: VersionVector; readonly expiresAtMs?: number | undefined }
  | { readonly kind: 'siblings'; readonly count: number; readonly result: GetResult }
  | { readonly kind: 'failed'; readonly error: ClientError };

export function readKey(ctx: CommandContext, key: string, done: (outcome: ReadOutcome) => void): void {
  const started = performance.now();
  ctx.backend.submit({ op: 'get', bucket: ctx.bucket, key }, (response) => {
    observe(ctx, 'get', response, started);
    done(readOutcome(response));
  });
}

function readOutcome(response: ClientResponse): ReadOutcome {
  if (!response.ok) return { kind: 'failed', error: response };
  if (response.op !== 'get') return { kind: 'failed', error: unexpected(response.op) };
  const values = response.values;
  if (values.length === 0) return { kind: 'absent', context: response.context };
  if (values.length === 1) return { kind: 'value', value: values[0]!.data!, context: response.context, expiresAtMs: values[0]!.expiresAtMs };
  return { kind: 'siblings', count: values.length, result: response };
}

export type WriteOutcome = { readonly ok: true; readonly result: WriteResult } | { readonly ok: false; readonly error: ClientError };

/**
 * Writes `value` (a copy: the parser's argument points into the socket's read buffer); `ttlMs` as
 * WriteOptions says (absent: the bucket's ttl_ms, 0: never expires).
 */
export function writeKey(ctx: CommandContext, key: string, value: Uint8Array, context: VersionVector, done: (outcome: WriteOutcome) => void, ttlMs?: number): void {
  const started = performance.now();
  const request = { op: 'put', bucket: ctx.bucket, key, value: Buffer.from(value), context, ...(ttlMs === undefined ? {} : { ttlMs }) } as const;
  ctx.backend.submit(request, (response) => {
    observe(ctx, 'put', response, started);
    done(writeOutcome(response));
  });
}

export function deleteKey(ctx: CommandContext, key: string, context: VersionVector, done: (outcome: WriteOutcome) => void): void {
  const started = performance.now();
  ctx.backend.submit({ op: 'delete', bucket: ctx.bucket, key, context }, (response) => {
    observe(ctx, 'delete', response, started);
    done(writeOutcome(response));
  });
}

function writeOutcome(response: ClientResponse): WriteOutcome {
  if (!response.ok) return { ok: false, error: response };
  if (response.op !== 'put' && response.op !== 'delete') return { ok: false, error: unexpected(response.op) };
  return { ok: true, result: response };
}

/** Whether writes to the connection's bucket need the context of a read to replace a value. */
export function keepsSiblings(ctx: CommandContext): boolean {
  return ctx.backend.props(ctx.bucket).conflict === 'siblings';
}

function unexpected(op: string): ClientError {
  return { ok: false, error: 'bad_request', message: `the node answered a '${op}' result to a key operation` };
}

function observe(ctx: CommandContext, op: string, response: ClientResponse, startedMs: number): void {
  ctx.metrics?.observe(op, response.ok ? 'ok' : response.error, (performance.now() - startedMs) / 1000);
}

/**
 * Runs `start(i, settle)` for i in [0, count) at once and calls `done` once every one settled,
 * with the first failure (in key order) or null: a multi-key command never answers in part.
 */
export function forEachKey<T>(
  count: number,
  start: (i: number, settle: (result: T) => void) => void,
  done: (results: T[]) => void,
): void {
  assert(count > 0, 'a multi-key command names at least one key (its arity says so)');
  const results = new Array<T>(count);
  let left = count;
  for (let i = 0; i < count; i++) {
    start(i, (result) => {
      results[i] = result;
      if (--left === 0) done(results);
    });
  }
}
