/** /buckets/{bucket}: PUT a JSON change of properties (spread cluster-wide), GET the current ones. */
import type { NodeRuntime } from '../runtime/node-runtime.js';
import { errorBody, httpStatusOf } from './errors.js';
import { badRequest, sendJson, type Send } from './send.js';

export async function bucketRoute(runtime: NodeRuntime, method: string, path: string[], body: () => Promise<Buffer>, send: Send): Promise<void> {
  if (path.length !== 1 || path[0] === '') return badRequest(send, 'expected /buckets/{bucket}');
  const bucket = path[0]!;
  let response;
  if (method === 'GET') {
    response = await runtime.request({ op: 'getBucket', bucket });
  } else if (method === 'PUT' || method === 'POST') {
    let change: unknown;
    try {
      change = JSON.parse((await body()).toString('utf8'));
    } catch {
      return badRequest(send, 'the body must be JSON such as {"n":3,"r":2,"w":2,"conflict":"siblings"}');
    }
    response = await runtime.request({ op: 'setBucket', bucket, change });
  } else {
    return sendJson(send, 405, { error: `method ${method} is not supported on /buckets`, code: 'bad_request' }, { allow: 'GET, PUT' });
  }
  if (!response.ok) return send(httpStatusOf(response), errorBody(response), { 'content-type': 'application/json' });
  if (response.op !== 'bucket') return send(500);
  const dataModel = { ttl_ms: response.props.ttlMs ?? 0, type: response.props.type ?? 'kv' };
  sendJson(send, 200, { bucket: response.bucket, props: { ...response.props, ...dataModel }, ...response.props, ...dataModel });
}
