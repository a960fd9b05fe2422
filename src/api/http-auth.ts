/**
 * The HTTP front door of a secure node: Basic authentication, then the role check for the route.
 * Missing or wrong credentials: 401 with `WWW-Authenticate: Basic realm="dynamo"`; too many
 * failures from one address: 429; a role that does not allow the route: 403 `forbidden`.
 *
 * And, with security on or off, the cross-site rule: a POST to a state-changing admin route
 * (/admin/*, /buckets/*) must say `Content-Type: application/json`. That is a type no browser
 * sends cross-site without a CORS preflight, which this server never grants, so a form on another
 * site cannot make a node leave. (PUT and DELETE always need a preflight.)
 */
import type { IncomingMessage } from 'node:http';
import type { Action, Authenticator } from '../security/auth.js';
import { authorize } from '../security/auth.js';

export interface HttpRefusal {
  readonly status: number;
  readonly body: { readonly error: string; readonly code: string };
  readonly headers?: Record<string, string>;
}

const CHALLENGE = { 'www-authenticate': 'Basic realm="dynamo"' };

/** What a route needs: nothing (health checks), or an action to authorize. */
export function actionOf(method: string, segments: readonly string[]): Action | null {
  switch (segments[0]) {
    case 'health':
      return null;
    case 'kv':
      return { kind: method === 'GET' || method === 'HEAD' ? 'read' : 'write', bucket: segments[1] ?? '' };
    case 'buckets':
      // Reading a bucket's properties is part of using it (clients read n); changing them is admin.
      return method === 'GET' || method === 'HEAD' ? { kind: 'read', bucket: segments[1] ?? '' } : { kind: 'admin' };
    case 'cluster':
    case 'ring':
      // Clients read these to route requests, whatever their role.
      return { kind: 'any' };
    case 'ui':
      // The dashboard is for an admin or a read user alike (issue 20); what it shows is the cluster's state.
      return { kind: 'any' };
    default:
      return { kind: 'admin' };
  }
}

export function crossSiteRefusal(method: string, segments: readonly string[], contentType: string | undefined): HttpRefusal | null {
  if (method !== 'POST' || (segments[0] !== 'admin' && segments[0] !== 'buckets')) return null;
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  // Both need a CORS preflight, which a cross-site page cannot pass: JSON for every admin change,
  // octet-stream for the blocks of a restore (`dynamo restore` posts them as they are in the dump).
  if (type === 'application/json') return null;
  if (type === 'application/octet-stream' && segments[0] === 'admin' && segments[1] === 'restore') return null;
  return { status: 415, body: { error: 'state-changing admin requests must be sent with Content-Type: application/json', code: 'unsupported_media_type' } };
}

/** user and password of a Basic Authorization header, or null when it is absent or malformed. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | null {
  if (header === undefined) return null;
  const match = /^Basic\s+([A-Za-z0-9+/=]{1,4096})\s*$/i.exec(header);
  if (match === null) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** null: the request may go on; otherwise the answer to give. */
export async function httpAccess(auth: Authenticator, req: IncomingMessage, method: string, segments: readonly string[]): Promise<HttpRefusal | null> {
  const action = actionOf(method, segments);
  if (action === null) return null;
  const credentials = basicCredentials(req.headers.authorization);
  if (credentials === null) return { status: 401, body: { error: 'authentication required (HTTP Basic)', code: 'unauthenticated' }, headers: CHALLENGE };
  const source = req.socket.remoteAddress ?? 'unknown';
  const result = auth.cached(credentials.user, credentials.password) ?? (await auth.authenticate(credentials.user, credentials.password, source));
  if ('ok' in result && !result.ok) {
    if (result.code === 'rate_limited') return { status: 429, body: { error: result.message, code: 'rate_limited' }, headers: { 'retry-after': '10' } };
    return { status: 401, body: { error: result.message, code: 'unauthenticated' }, headers: CHALLENGE };
  }
  const principal = 'ok' in result ? result.principal : result;
  const allowed = authorize(principal, action);
  return allowed.ok ? null : { status: 403, body: { error: allowed.message, code: 'forbidden' } };
}
