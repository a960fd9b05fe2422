/**
 * The binary client protocol's frames: the same length-prefix framing and the same codec as the
 * inter-node transport (msgpack, with a hand-written layout for the hot frames), one request or
 * response per frame, tagged with a request id chosen by the client so that many requests can be
 * in flight on one connection (pipelining) and answered in any order.
 *
 *   client → node   { id: uint, request: ClientRequest }      get, put, delete: hot-wire.ts
 *   node → client   { id: uint, response: ClientResponse }    their successful answers: hot-wire.ts
 *
 * A response to a frame the node could not read at all (undecodable, or without an id) carries
 * id 0, which no client uses. Shared by the client and the node's client server (src/api).
 */
import { Packr } from 'msgpackr';
import type { ClientRequest, ClientResponse } from './requests.js';
import { decodeHotRequest, decodeHotResponse, encodeHotRequest, encodeHotResponse, hotFrameId, isHotFrame } from './client-hot-wire.js';

/** Same settings as src/protocol/codec.ts: plain maps (no records), standard types, 64-bit ints as numbers. */
const packr = new Packr({ useRecords: false, moreTypes: false, int64AsType: 'number' });

/** The id of an answer to a frame that named no id. */
export const UNKNOWN_REQUEST_ID = 0;

export interface RequestFrame {
  readonly id: number;
  readonly request: ClientRequest;
}

export interface ResponseFrame {
  readonly id: number;
  readonly response: ClientResponse;
}

export function encodeRequest(id: number, request: ClientRequest): Uint8Array {
  return encodeHotRequest(id, request) ?? packr.pack({ id, request });
}

/** `hot`: the request came in the hot layout, so its answer goes back in it when it has one. */
export function encodeResponse(id: number, response: ClientResponse, hot = false): Uint8Array {
  return (hot ? encodeHotResponse(id, response) : null) ?? packr.pack({ id, response });
}

/** The id and the unvalidated request of a frame (and whether it was hot), or a sentence saying why it is not one. */
export type DecodedRequest = { ok: true; id: number; request: unknown; hot: boolean } | { ok: false; id: number; error: string };

export function decodeRequestFrame(payload: Uint8Array): DecodedRequest {
  if (isHotFrame(payload)) {
    try {
      const { id, request } = decodeHotRequest(payload);
      if (!isRequestId(id)) return { ok: false, id: UNKNOWN_REQUEST_ID, error: 'a request frame needs a positive integer "id"' };
      return { ok: true, id, request, hot: true };
    } catch (err) {
      return { ok: false, id: hotFrameId(payload), error: `undecodable frame: ${(err as Error).message}` };
    }
  }
  let raw: unknown;
  try {
    raw = packr.unpack(payload);
  } catch (err) {
    return { ok: false, id: UNKNOWN_REQUEST_ID, error: `undecodable frame: ${(err as Error).message}` };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, id: UNKNOWN_REQUEST_ID, error: 'a request frame must be a map {id, request}' };
  }
  const frame = raw as Record<string, unknown>;
  if (!isRequestId(frame.id)) return { ok: false, id: UNKNOWN_REQUEST_ID, error: 'a request frame needs a positive integer "id"' };
  return { ok: true, id: frame.id, request: frame.request, hot: false };
}

/** A response frame as the client reads it; `null` when the node sent something unreadable. */
export function decodeResponseFrame(payload: Uint8Array): ResponseFrame | null {
  if (isHotFrame(payload)) {
    try {
      return decodeHotResponse(payload);
    } catch {
      return null;
    }
  }
  let raw: unknown;
  try {
    raw = packr.unpack(payload);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const frame = raw as Record<string, unknown>;
  const response = frame.response as Record<string, unknown> | null | undefined;
  if (!Number.isInteger(frame.id) || typeof response !== 'object' || response === null || typeof response.ok !== 'boolean') return null;
  return raw as ResponseFrame;
}

export function isRequestId(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x > 0 && x <= Number.MAX_SAFE_INTEGER;
}
