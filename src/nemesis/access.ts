/**
 * How the nemesis's HTTP requests reach a node: plain HTTP with the global fetch, or, with
 * `--secure`, HTTPS that trusts the run's CA and authenticates as root with Basic auth (the global
 * fetch takes no CA, so secure requests go through security/https-fetch.ts). Both throw on a
 * transport failure; `transportCode` names it the same way for either, so that a refused
 * connection (surely nothing done) is told apart from a broken or timed-out one (maybe done).
 */
import { assertNever } from '../core/assert.js';
import { secureFetch, type Credentials } from '../security/https-fetch.js';

export type HttpAccess =
  | { readonly kind: 'plain' }
  | { readonly kind: 'secure'; readonly ca: string; readonly auth: Credentials };

export const PLAIN: HttpAccess = { kind: 'plain' };

export interface SendInit {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array;
}

export function scheme(access: HttpAccess): 'http' | 'https' {
  switch (access.kind) {
    case 'plain':
      return 'http';
    case 'secure':
      return 'https';
    default:
      return assertNever(access, 'HTTP access');
  }
}

export function send(url: string, init: SendInit, access: HttpAccess, timeoutMs: number): Promise<Response> {
  switch (access.kind) {
    case 'plain':
      return fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    case 'secure':
      return secureFetch(url, { ...init, ca: access.ca, auth: access.auth, timeoutMs });
    default:
      return assertNever(access, 'HTTP access');
  }
}

/** The system error code of a failed request: on the error itself (node:https) or its cause (fetch). */
export function transportCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  if (typeof e.code === 'string') return e.code;
  return typeof e.cause?.code === 'string' ? e.cause.code : undefined;
}
