/**
 * The HTTP API of DESIGN.md, on node:http. Each route parses and validates its input, hands the
 * node a ClientRequest through the runtime, and writes the response. Malformed input gets a 4xx
 * with a JSON body; nothing a client sends can crash the node.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { NodeRuntime } from '../runtime/node-runtime.js';
import type { NodeMetricsExporter } from '../runtime/prometheus.js';
import { adminRoutes } from './admin-routes.js';
import { BodyTooLarge, readBody } from './body.js';
import { kvRoute } from './kv-routes.js';
import { parseTarget } from './request-target.js';
import { bucketRoute } from './bucket-routes.js';
import { backupRoutes } from './backup-routes.js';
import { attachUi, uiRoutes } from './ui-routes.js';

export interface HttpApiOptions {
  readonly host: string;
  readonly port: number;
  readonly runtime: NodeRuntime;
  readonly metrics: NodeMetricsExporter;
  readonly maxValueBytes: number;
  readonly onLeave?: () => void;
}

export type Send = (status: number, body?: string | Uint8Array, headers?: Record<string, string>) => void;

export function sendJson(send: Send, status: number, value: unknown, headers: Record<string, string> = {}): void {
  send(status, JSON.stringify(value), { 'content-type': 'application/json', ...headers });
}

export function badRequest(send: Send, message: string): void {
  sendJson(send, 400, { error: message, code: 'bad_request' });
}

export async function startHttpApi(options: HttpApiOptions): Promise<Server> {
  const server = createServer((req, res) => {
    handle(options, req, res).catch((err: unknown) => {
      if (err instanceof BodyTooLarge) {
        respond(res, 413, JSON.stringify({ error: err.message, code: 'too_large' }), { 'content-type': 'application/json', connection: 'close' });
        return;
      }
      respond(res, 500, JSON.stringify({ error: `internal error: ${(err as Error).message}` }), { 'content-type': 'application/json' });
    });
  });
  server.keepAliveTimeout = 65_000;
  attachUi(server, options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
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
