/**
 * Authentication on the binary client protocol: with security on, the first frame of every
 * connection is `{ id: 0, auth: { user, password } }` (msgpack). The client sends its requests
 * right behind it without waiting; the node holds them until the credentials are verified. On
 * success nothing is answered; on failure the node answers `{ id: 0, response: error }` with code
 * `unauthenticated` and closes the connection. Id 0 is the one no request uses (wire.ts).
 */
import { Packr } from 'msgpackr';
import { UNKNOWN_REQUEST_ID } from './client-wire.js';

const packr = new Packr({ useRecords: false, moreTypes: false, int64AsType: 'number' });
const MAX_CREDENTIAL_CHARS = 1024;

export interface Credentials {
  readonly user: string;
  readonly password: string;
}

/** What a client of a secure cluster gives: the CA to trust (TLS) and the user to be. */
export interface ClientSecurity {
  readonly tls?: { readonly ca: string | Buffer };
  readonly auth?: Credentials;
}

export function encodeAuthFrame(credentials: Credentials): Uint8Array {
  return packr.pack({ id: UNKNOWN_REQUEST_ID, auth: { user: credentials.user, password: credentials.password } });
}

/** The credentials of an auth frame, or null when the frame is anything else. */
export function decodeAuthFrame(payload: Uint8Array): Credentials | null {
  let raw: unknown;
  try {
    raw = packr.unpack(payload);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const auth = (raw as Record<string, unknown>).auth;
  if (typeof auth !== 'object' || auth === null || Array.isArray(auth)) return null;
  const { user, password } = auth as Record<string, unknown>;
  const ok = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length <= MAX_CREDENTIAL_CHARS;
  return ok(user) && ok(password) ? { user, password } : null;
}
