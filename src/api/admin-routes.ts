/**
 * Operator and diagnostic routes: /health, /cluster, /status, /metrics, and /admin/local/{bucket}/{key}
 * (what this node itself stores for a key, without coordination: for tests and debugging).
 */
import { liveValues, values, context, encodeContext, type SiblingSet } from '../core/versions/index.js';
import type { HttpApiOptions } from './http-options.js';
import { badRequest, sendJson, type Send } from './send.js';

function describeSet(set: SiblingSet | undefined): unknown {
  if (set === undefined) return null;
  return {
    context: encodeContext(context(set)),
    siblings: values(set).map((v) => ({ value: v.data === null ? null : Buffer.from(v.data).toString('base64'), tombstone: v.data === null, timestampMs: v.timestampMs, ...(v.expiresAtMs === undefined ? {} : { expiresAtMs: v.expiresAtMs }) })),
    live: liveValues(set).length,
  };
}

export async function adminRoutes(options: HttpApiOptions, method: string, path: string[], body: () => Promise<Buffer>, send: Send): Promise<void> {
  const node = options.runtime.node;
  const route = path.join('/');
  if (method !== 'GET' && !(method === 'POST' && (route === 'admin/leave' || route === 'admin/join'))) {
    return sendJson(send, 405, { error: `method ${method} is not supported here`, code: 'bad_request' });
  }
  switch (path[0]) {
    case 'health':
      return node.isServing() ? sendJson(send, 200, { status: 'ok', node: node.selfId }) : sendJson(send, 503, { status: 'joining', node: node.selfId });
    case 'cluster': {
      const view = node.cluster();
      if (view === null) return sendJson(send, 503, { error: 'this node has not joined a cluster yet' });
      return sendJson(send, 200, { ...view, clusterId: node.clusterId(), members: view.members.map((m) => ({ ...m })) });
    }
    case 'ring': {
      const ring = node.ringView();
      return ring === null ? sendJson(send, 503, { error: 'this node has not joined a cluster yet' }) : sendJson(send, 200, ring);
    }
    case 'status':
      return sendJson(send, 200, statusOf(options));
    case 'metrics':
      return send(200, await options.metrics.text(), { 'content-type': options.metrics.registry.contentType });
    case 'admin':
      if (path[1] === 'local' && path.length >= 4) {
        const copy = node.localCopy(path[2]!, path.slice(3).join('/'));
        return sendJson(send, 200, { node: node.selfId, data: describeSet(copy.data), hints: describeSet(copy.hints) });
      }
      if (path[1] === 'hints') return sendJson(send, 200, { node: node.selfId, pending: node.store.hintCount });
      if (path[1] === 'keys') return sendJson(send, 200, { node: node.selfId, ...node.keyCounts() });
      if (path[1] === 'leave') {
        options.runtime.leave();
        return sendJson(send, 202, { node: node.selfId, status: 'leaving: handing partitions over, then the node stops' });
      }
      if (path[1] === 'join') {
        let seed: unknown;
        try {
          seed = (JSON.parse((await body()).toString('utf8')) as { seed?: unknown }).seed;
        } catch {
          return badRequest(send, 'the body must be JSON {"seed": "HOST:PORT"}');
        }
        if (typeof seed !== 'string' || !/^[^:\s]+:\d{1,5}$/.test(seed)) return badRequest(send, '"seed" must be HOST:PORT of a member\'s peer port');
        options.runtime.join(seed);
        return sendJson(send, 202, { node: node.selfId, status: `joining through ${seed}` });
      }
      return badRequest(send, 'unknown admin route');
    default:
      return sendJson(send, 404, { error: `no route ${'/' + route}`, code: 'not_found' });
  }
}

function statusOf(options: HttpApiOptions): unknown {
  const node = options.runtime.node;
  return {
    node: node.selfId,
    pid: process.pid,
    serving: node.isServing(),
    cluster: node.cluster(),
    hints: { pending: node.store.hintCount, byTarget: node.hintsByTarget() },
    transfers: {
      pending: node.sync.stats.pendingOut + node.sync.stats.pendingIn,
      inProgress: node.sync.stats.inProgress,
      done: node.sync.stats.done,
    },
    antiEntropy: node.sync.stats,
    operationsInFlight: node.pendingOperations(),
    storage: options.runtime.storageStatus(),
    memory: { heapUsedBytes: process.memoryUsage().heapUsed, rssBytes: process.memoryUsage.rss() },
    /** Suspicion of each member by this node's failure detector (phi; down above 8). */
    phi: Object.fromEntries((node.membership()?.members ?? []).filter((m) => m.id !== node.selfId).map((m) => [m.id, Number(node.phi(m.id).toFixed(2))])),
    metrics: node.metrics,
  };
}
