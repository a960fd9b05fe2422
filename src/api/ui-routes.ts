/**
 * The dashboard, served by every node: GET /ui (the page), /ui/dashboard.js and /ui/dashboard.css
 * (assets shipped in the package's ui/ folder, no CDN), GET /ui/state (everything the page shows,
 * as JSON, polled once a second), and GET /admin/ring-table (the partition table, also read by
 * `dynamo ring`). With security on, /ui/state answers 401 like every other route without
 * credentials, and the page then asks for a user and password and shows nothing until it has them.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import { ringTable } from '../node/ring-table.js';
import type { HttpApiOptions } from './http-options.js';
import { sendJson, type Send } from './send.js';
import { RequestSeries } from './ui-series.js';

/** The package's ui/ folder: two levels up from this file in src/api and in dist/api alike. */
const UI_DIR = resolve(import.meta.dirname, '../../ui');
const ASSETS: Record<string, { file: string; type: string }> = {
  '': { file: 'index.html', type: 'text/html; charset=utf-8' },
  'dashboard.js': { file: 'dashboard.js', type: 'text/javascript; charset=utf-8' },
  'dashboard.css': { file: 'dashboard.css', type: 'text/css; charset=utf-8' },
};
const cache = new Map<string, Buffer>();
const seriesByServer = new WeakMap<HttpApiOptions, RequestSeries>();
/**
 * Hints per target take a scan of every hint held: with many hints pending (a long outage) a
 * scan each second per open dashboard would cost the node real time, so it is redone at most
 * this often.
 */
export const HINT_SCAN_INTERVAL_MS = 5000;
const hintScans = new WeakMap<HttpApiOptions, { atMs: number; byTarget: Record<string, number> }>();

function hintsByTarget(options: HttpApiOptions): Record<string, number> {
  const now = Date.now();
  const last = hintScans.get(options);
  if (last !== undefined && now - last.atMs < HINT_SCAN_INTERVAL_MS) return last.byTarget;
  const byTarget = options.runtime.node.hintsByTarget();
  hintScans.set(options, { atMs: now, byTarget });
  return byTarget;
}

/** Starts the request sampler of one HTTP server (stopped when the server closes). */
export function attachUi(server: Server, options: HttpApiOptions): void {
  const series = new RequestSeries(() => options.metrics.requestSnapshot());
  series.start();
  seriesByServer.set(options, series);
  server.once('close', () => series.stop());
}

export function uiRoutes(options: HttpApiOptions, method: string, path: string[], send: Send): void {
  if (method !== 'GET') return sendJson(send, 405, { error: 'use GET', code: 'bad_request' });
  if (path[0] === 'admin') return ringTableRoute(options, send);
  const name = path.slice(1).join('/');
  if (name === 'state') return sendJson(send, 200, stateOf(options), { 'cache-control': 'no-store' });
  const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
  if (asset === undefined) return sendJson(send, 404, { error: `no dashboard file ${name}`, code: 'not_found' });
  let bytes = cache.get(asset.file);
  if (bytes === undefined) {
    bytes = readFileSync(resolve(UI_DIR, asset.file));
    cache.set(asset.file, bytes);
  }
  send(200, bytes, { 'content-type': asset.type, 'cache-control': 'no-cache' });
}

function ringTableRoute(options: HttpApiOptions, send: Send): void {
  const node = options.runtime.node;
  const m = node.membership();
  if (m === null) return sendJson(send, 503, { error: 'this node has not joined a cluster yet' });
  sendJson(send, 200, ringTable(m, (id) => node.isUp(id)));
}

function stateOf(options: HttpApiOptions): unknown {
  const node = options.runtime.node;
  const m = node.membership();
  const stats = node.sync.stats;
  return {
    node: node.selfId,
    atMs: Date.now(),
    serving: node.isServing(),
    cluster: node.cluster(),
    ring: m === null ? null : ringTable(m, (id) => node.isUp(id)),
    phi: Object.fromEntries((m?.members ?? []).filter((x) => x.id !== node.selfId).map((x) => [x.id, Number(node.phi(x.id).toFixed(2))])),
    hints: { pending: node.store.hintCount, byTarget: hintsByTarget(options) },
    transfers: { pendingOut: stats.pendingOut, pendingIn: stats.pendingIn, done: stats.done, exchanges: node.sync.inFlight() },
    antiEntropy: { rounds: stats.antiEntropyRounds, keysRepaired: stats.keysRepaired, bytesExchanged: stats.bytesExchanged },
    operationsInFlight: node.pendingOperations(),
    series: seriesByServer.get(options)?.series() ?? {},
  };
}
