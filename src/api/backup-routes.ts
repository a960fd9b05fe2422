/**
 * The node side of `dynamo backup` and `dynamo restore` (admin routes):
 *
 *   GET  /admin/backup/buckets
 *        every bucket whose properties were set, with them (they go into the dump's header).
 *   GET  /admin/backup/partition/{p}?after=HEX&limit=N&buckets=a,b
 *        a page of this node's stored sets of partition p (data and hints), as entries
 *        (backup/entries.ts); `x-dynamo-next` names the cursor of the next page, absent at the end.
 *   POST /admin/restore[?w=N]
 *        a run of entries: each set is checked against the version invariants, then merged into
 *        the key's current replicas as a replica write is (node/restore.ts). Answers
 *        {"merged": k, "failed": [{"bucket","key","error"}]}; a malformed run is refused whole (400).
 *
 * Pages and runs are bounded (MAX_PAGE_KEYS, MAX_RESTORE_BODY_BYTES, RESTORE_CONCURRENCY), so one
 * backup or restore cannot hold the event loop or fill the node's operation table; the CLI sets
 * the pace between them.
 */
import type { IncomingMessage } from 'node:http';
import { decodeRawEntries, encodeEntries, EntryDecodeError, validateEntry, type RawEntry } from '../backup/entries.js';
import type { ClientResponse } from '../protocol/requests.js';
import { readBody } from './body.js';
import type { HttpApiOptions } from './http-options.js';
import { badRequest, sendJson, type Send } from './send.js';

export const MAX_PAGE_KEYS = 2000;
export const MAX_RESTORE_BODY_BYTES = 16 * 1024 * 1024;
export const MAX_RESTORE_ENTRIES = 5000;
/** Restored sets in flight at once per request: well under the node's operation limit. */
export const RESTORE_CONCURRENCY = 32;

export async function backupRoutes(options: HttpApiOptions, method: string, path: string[], query: URLSearchParams, req: IncomingMessage, send: Send): Promise<void> {
  if (path[0] === 'backup' && path[1] === 'buckets' && path.length === 2) {
    if (method !== 'GET') return sendJson(send, 405, { error: 'use GET', code: 'bad_request' });
    const table = options.runtime.node.bucketTableView();
    return sendJson(send, 200, { buckets: Object.fromEntries(Object.entries(table).map(([name, entry]) => [name, entry.props])) });
  }
  if (path[0] === 'backup' && path[1] === 'partition' && path.length === 3) {
    if (method !== 'GET') return sendJson(send, 405, { error: 'use GET', code: 'bad_request' });
    return backupPage(options, path[2]!, query, send);
  }
  if (path[0] === 'restore' && path.length === 1) {
    if (method !== 'POST') return sendJson(send, 405, { error: 'use POST', code: 'bad_request' });
    return restore(options, query, await readBody(req, MAX_RESTORE_BODY_BYTES), send);
  }
  return sendJson(send, 404, { error: `no route /admin/${path.join('/')}`, code: 'not_found' });
}

function backupPage(options: HttpApiOptions, partitionText: string, query: URLSearchParams, send: Send): void {
  if (!/^\d{1,6}$/.test(partitionText)) return badRequest(send, 'the partition must be a number');
  const after = query.get('after');
  if (after !== null && !/^([0-9a-f]{2}){1,1200}$/.test(after)) return badRequest(send, '"after" must be the hex cursor of the previous page');
  const limitText = query.get('limit') ?? String(MAX_PAGE_KEYS);
  const limit = Number(limitText);
  if (!/^\d+$/.test(limitText) || limit < 1 || limit > MAX_PAGE_KEYS) return badRequest(send, `"limit" must be 1..${MAX_PAGE_KEYS}`);
  const bucketsText = query.get('buckets');
  const buckets = bucketsText === null || bucketsText === '' ? null : new Set(bucketsText.split(','));
  const page = options.runtime.node.partitionPage(Number(partitionText), after === null ? null : Buffer.from(after, 'hex'), limit, buckets);
  if (page === null) return sendJson(send, 404, { error: `no partition ${partitionText} in this node's ring (or it has not joined)`, code: 'not_found' });
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream', 'x-dynamo-count': String(page.sets.length) };
  if (page.next !== null) headers['x-dynamo-next'] = Buffer.from(page.next).toString('hex');
  send(200, encodeEntries(page.sets), headers);
}

async function restore(options: HttpApiOptions, query: URLSearchParams, body: Buffer, send: Send): Promise<void> {
  const wText = query.get('w');
  if (wText !== null && !/^\d{1,2}$/.test(wText)) return badRequest(send, '"w" must be a small positive integer');
  const w = wText === null ? undefined : Number(wText);
  let raw: RawEntry[];
  try {
    raw = decodeRawEntries(body, MAX_RESTORE_ENTRIES);
  } catch (err) {
    if (!(err instanceof EntryDecodeError)) throw err;
    return sendJson(send, 400, { error: `malformed restore run at byte ${err.offset}: ${err.message}`, code: 'bad_request' });
  }
  const failed: { bucket: string; key: string; error: string }[] = [];
  let merged = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < raw.length) {
      const entry = raw[next++]!;
      const checked = validateEntry(entry);
      if (typeof checked === 'string') {
        failed.push({ bucket: entry.bucket, key: entry.key, error: checked });
        continue;
      }
      const response: ClientResponse = await options.runtime.request({ op: 'merge', bucket: entry.bucket, key: entry.key, set: entry.set, w });
      if (response.ok) merged++;
      else failed.push({ bucket: entry.bucket, key: entry.key, error: `${response.error}: ${response.message}` });
    }
  };
  await Promise.all(Array.from({ length: Math.min(RESTORE_CONCURRENCY, raw.length) }, worker));
  sendJson(send, 200, { node: options.runtime.node.selfId, merged, failed });
}
