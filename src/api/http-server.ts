/**
 * The HTTP API of DESIGN.md, on node:http. Each route parses and validates its input, hands the
 * node a ClientRequest through the runtime, and writes the response. Malformed input gets a 4xx
 * with a JSON body; nothing a client sends can crash the node.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { HTTP_CONNECTIONS_MAX } from '../core/limits.js';
import { createServer as createHttpsServer } from 'node:https';

import { crossSiteRefusal, httpAccess } from './http-auth.js';
import { userRoutes } from './user-routes.js';
import { adminRoutes } from './admin-routes.js';
import { BodyTooLarge, readBody } from './body.js';
import { kvRoute } from './kv-routes.js';
import { parseTarget } from './request-target.js';
import { bucketRoute } from './bucket-routes.js';
import type { HttpApiOptions } from './http-options.js';
import { badRequest, sendJson, type Send } from './send.js';
import { backupRoutes } from './backup-routes.js';
import { attachUi, uiRoutes } from './ui-routes.js';

export type { HttpApiOptions } from './http-options.js';

export async function startHttpApi(options: HttpApiOptions): Promise<Server> {
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(options, req, res).catch((err: unknown) => {
      if (err instanceof BodyTooLarge) {
        // Refused before the route saw a whole request: counted here, as the route counts the rest.
        options.metrics.observe(req.method === 'POST' ? 'update' : 'put', 'too_large', 0);
        respond(res, 413, JSON.stringify({ error: err.message, code: 'too_large' }), { 'content-type': 'application/json', connection: 'close' });
        return;
      }
      respond(res, 500, JSON.stringify({ error: `internal error: ${(err as Error).message}` }), { 'content-type': 'application/json' });
    });
  };
  const server = options.tls === undefined ? createServer(listener) : createHttpsServer({ cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' }, listener);
  server.keepAliveTimeout = 65_000;
  attachUi(server, options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.maxConnections = HTTP_CONNECTIONS_MAX;
    server.listen(options.port, options.host, () => resolve());
  });
  return server;
}

function respond(res: ServerResponse, status: number, body?: string | Uint8Array, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  // With the length given, the answer goes out as one plain write instead of chunked encoding
  // (writeHead fixes the headers before `end` could count the body).
  if (body !== undefined) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
  res.writeHead(status, headers);
  res.end(body);
}

async function handle(options: HttpApiOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const send: Send = (status, body, headers) => respond(res, status, body, headers);
  const target = parseTarget(req.url ?? '/');
  if (!target.ok) return badRequest(send, target.error);
  const decoded = target.segments;
  const method = req.method ?? 'GET';
  const body = (): Promise<Buffer> => readBody(req, options.maxValueBytes);
  const refusal = crossSiteRefusal(method, decoded, req.headers['content-type']) ?? (options.auth === undefined ? null : await httpAccess(options.auth, req, method, decoded));
  if (refusal !== null) {
    if (refusal.status === 401 || refusal.status === 429) options.runtime.node.metrics.authFailures++;
    if (refusal.status === 403) options.runtime.node.metrics.authForbidden++;
    return sendJson(send, refusal.status, refusal.body, refusal.headers);
  }
  if (decoded[0] === 'admin' && decoded[1] === 'users') return userRoutes(options.runtime, method, decoded, body, send, options.auth !== undefined);
  if (decoded[0] === 'admin' && (decoded[1] === 'backup' || decoded[1] === 'restore')) return backupRoutes(options, method, decoded.slice(1), target.query, req, send);
  if (decoded[0] === 'ui' || (decoded[0] === 'admin' && decoded[1] === 'ring-table' && decoded.length === 2)) return uiRoutes(options, method, decoded, send);
  switch (decoded[0]) {
    case 'kv':
      return kvRoute(options.runtime, options.metrics, method, decoded.slice(1), target.query, req.headers, body, send);
    case 'buckets':
      return bucketRoute(options.runtime, method, decoded.slice(1), body, send);
    default:
      return adminRoutes(options, method, decoded, body, send);
  }
}
