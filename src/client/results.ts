/** Turning the node's answers into the client's results, and its inputs into the node's requests. */
import type { ClientRequest, ClientResponse, GetResult } from '../protocol/requests.js';
import { Context } from './context.js';
import { DynamoError, WrongTypeError } from './errors.js';
import type { ReadResult, Value } from './types.js';

export function readResult(response: GetResult): ReadResult {
  if (response.crdt !== undefined) throw new WrongTypeError(`the bucket holds ${response.crdt.type}s: read it with getCounter or getSet`);
  const siblings = response.values.map((v) =>
    v.expiresAtMs === undefined ? { value: Buffer.from(v.data!), timestampMs: v.timestampMs } : { value: Buffer.from(v.data!), timestampMs: v.timestampMs, expiresAtMs: v.expiresAtMs },
  );
  return {
    found: siblings.length > 0,
    value: siblings.length === 1 ? siblings[0]!.value : undefined,
    siblings,
    context: Context.of(response.context, response.fastestReplica),
    deleted: response.tombstone && siblings.length === 0,
    resolved: false,
  };
}

export function toBuffer(value: Value): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

export function contextOf(context: Context | string | undefined): Context {
  if (context === undefined) return Context.EMPTY;
  return typeof context === 'string' ? Context.parse(context) : context;
}

export function withoutCoordinator(request: Extract<ClientRequest, { op: 'put' | 'delete' | 'update' }>): ClientRequest {
  const { coordinator: _dropped, ...rest } = request;
  return rest;
}

export function unexpected(response: ClientResponse): DynamoError {
  return new DynamoError('unavailable', `unexpected answer from the node: ${JSON.stringify(response).slice(0, 200)}`);
}
