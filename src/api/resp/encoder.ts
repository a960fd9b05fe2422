/**
 * RESP replies as bytes: RESP2, and RESP3 where the two differ for this port's replies (maps;
 * a RESP3 client reads RESP2's null bulk as null too, so nil is one encoding for both). The replies sent most (OK, PONG, nil, 0, 1) are built once; a bulk is
 * one buffer with its header, bytes and CRLF, so the connection queues one piece per reply.
 */
import { assert } from '../../core/assert.js';

export type Reply = Buffer;

export const OK: Reply = Buffer.from('+OK\r\n');
export const PONG: Reply = Buffer.from('+PONG\r\n');
export const NIL: Reply = Buffer.from('$-1\r\n');
export const NIL_ARRAY: Reply = Buffer.from('*-1\r\n');
export const EMPTY_ARRAY: Reply = Buffer.from('*0\r\n');
const SMALL_INTEGERS: Reply[] = Array.from({ length: 16 }, (_, i) => Buffer.from(`:${i}\r\n`));

export function simple(text: string): Reply {
  assert(!/[\r\n]/.test(text), 'a simple string has no line break');
  return Buffer.from(`+${text}\r\n`);
}

/** An error reply; `message` starts with its code (ERR, NOPROTO, ...), as Redis's do. */
export function error(message: string): Reply {
  return Buffer.from(`-${message.replace(/[\r\n]+/g, ' ')}\r\n`);
}

export function integer(n: number): Reply {
  assert(Number.isSafeInteger(n), 'a RESP integer is a safe integer');
  return n >= 0 && n < SMALL_INTEGERS.length ? SMALL_INTEGERS[n]! : Buffer.from(`:${n}\r\n`);
}

export function bulk(data: Uint8Array | string | null): Reply {
  if (data === null) return NIL;
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const header = `$${bytes.length}\r\n`;
  const out = Buffer.allocUnsafe(header.length + bytes.length + 2);
  out.write(header, 0, 'latin1');
  out.set(bytes, header.length);
  out[out.length - 2] = 13;
  out[out.length - 1] = 10;
  return out;
}

/** An array of replies already encoded (each element is itself a reply). */
export function array(items: readonly Reply[]): Reply {
  return Buffer.concat([Buffer.from(`*${items.length}\r\n`), ...items]);
}

/** An array of bulk strings. */
export function bulkArray(items: readonly (Uint8Array | string | null)[]): Reply {
  return array(items.map(bulk));
}

/** A map: in RESP3 a `%` map, in RESP2 a flat array of key, value, key, value. */
export function map(entries: readonly (readonly [string | Reply, Reply])[], protocol: 2 | 3): Reply {
  const items = entries.flatMap(([k, v]) => [typeof k === 'string' ? bulk(k) : k, v]);
  if (protocol === 2) return array(items);
  return Buffer.concat([Buffer.from(`%${entries.length}\r\n`), ...items]);
}
