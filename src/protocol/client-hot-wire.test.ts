/**
 * The client protocol's frames: hot requests and answers round-trip exactly, what does not fit the
 * hot layout goes as msgpack and round-trips too, and no damaged frame makes a decoder throw.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { validateClientRequest } from './validate-request.js';
import type { ClientRequest, ClientResponse } from './requests.js';
import { HOT_MARKER } from './hot-codec.js';
import { decodeRequestFrame, decodeResponseFrame, encodeRequest, encodeResponse } from './client-wire.js';

const text = fc.string({ maxLength: 40 });
/** Bucket and key names: non-empty, as the validator requires. */
const name = fc.string({ minLength: 1, maxLength: 40 });
const nodeId = fc.string({ minLength: 1, maxLength: 30 });
const counter = fc.integer({ min: 1, max: 2 ** 48 - 1 });
const vector = fc.uniqueArray(fc.tuple(nodeId, counter), { maxLength: 5, selector: ([n]) => n }).map((v) => v.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
const option = fc.option(fc.integer({ min: 1, max: 255 }), { nil: undefined });
const strict = fc.option(fc.boolean(), { nil: undefined });

/** Drops the options left undefined, as a decoder never produces them. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const request: fc.Arbitrary<ClientRequest> = fc.oneof(
  fc.record({ op: fc.constant('get' as const), bucket: name, key: name, r: option, strict }).map(defined),
  fc
    .record({ op: fc.constant('put' as const), bucket: name, key: name, value: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)), context: vector, w: option, strict, coordinator: fc.option(nodeId, { nil: undefined }) })
    .map(defined),
  fc.record({ op: fc.constant('delete' as const), bucket: name, key: name, context: vector, w: option, strict, coordinator: fc.option(nodeId, { nil: undefined }) }).map(defined),
  fc.record({ op: fc.constant('replicaRead' as const), bucket: name, key: name }),
);

const response: fc.Arbitrary<ClientResponse> = fc.oneof(
  fc
    .record({
      ok: fc.constant(true as const),
      op: fc.constant('get' as const),
      values: fc.array(fc.record({ data: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)), timestampMs: fc.integer({ min: 0, max: 2 ** 48 - 1 }) }), { maxLength: 4 }),
      context: vector,
      tombstone: fc.boolean(),
      fastestReplica: fc.option(nodeId, { nil: undefined }),
    })
    .map(defined),
  fc.record({ ok: fc.constant(true as const), op: fc.constantFrom('put' as const, 'delete' as const), context: vector }),
  fc.record({
    ok: fc.constant(true as const),
    op: fc.constant('replicaRead' as const),
    primary: fc.boolean(),
    set: fc.option(fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)), { nil: null }),
    n: fc.integer({ min: 1, max: 255 }),
    r: fc.integer({ min: 1, max: 255 }),
    lww: fc.boolean(),
  }),
  fc.record({ ok: fc.constant(false as const), error: fc.constantFrom('bad_request' as const, 'quorum_failed' as const), message: text }),
);

const id = fc.integer({ min: 1, max: 2 ** 48 - 1 });

/** Views and Buffers compare as bytes. */
function plain(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : (v as { type?: string; data?: unknown })?.type === 'Buffer' ? Buffer.from((v as { data: number[] }).data).toString('hex') : v)));
}

test('get, put, delete and replicaRead requests go hot and come back exactly, through the same validation', () => {
  fc.assert(
    fc.property(id, request, (n, req) => {
      const frame = encodeRequest(n, req);
      assert.equal(frame[0], HOT_MARKER);
      const decoded = decodeRequestFrame(frame);
      assert.ok(decoded.ok);
      assert.equal(decoded.id, n);
      assert.equal(decoded.hot, true);
      const validated = validateClientRequest(decoded.request);
      assert.notEqual(typeof validated, 'string');
      assert.deepEqual(plain(validated), plain(req));
    }),
  );
});

test('answers to hot requests come back exactly; errors and non-hot answers go as msgpack', () => {
  fc.assert(
    fc.property(id, response, fc.boolean(), (n, res, hot) => {
      const frame = encodeResponse(n, res, hot);
      assert.equal(frame[0] === HOT_MARKER, hot && res.ok);
      const decoded = decodeResponseFrame(frame);
      assert.ok(decoded !== null);
      assert.equal(decoded.id, n);
      assert.deepEqual(plain(decoded.response), plain(res));
    }),
  );
});

test('what does not fit the hot layout goes as msgpack and still round-trips', () => {
  const longNode = 'n'.repeat(300);
  const req: ClientRequest = { op: 'delete', bucket: 'b', key: 'k', context: [[longNode, 1]] };
  const frame = encodeRequest(9, req);
  assert.notEqual(frame[0], HOT_MARKER);
  const decoded = decodeRequestFrame(frame);
  assert.ok(decoded.ok && !decoded.hot);
  assert.deepEqual(decoded.request, req);
  const res: ClientResponse = { ok: true, op: 'put', context: [['a', 2 ** 50]] };
  const answer = encodeResponse(9, res, true);
  assert.notEqual(answer[0], HOT_MARKER);
  assert.deepEqual(decodeResponseFrame(answer)?.response, res);
});

test('a damaged hot frame is refused with a reason (and its id when readable), never thrown', () => {
  fc.assert(
    fc.property(id, request, fc.nat(), fc.nat(), (n, req, cut, flip) => {
      const frame = Buffer.from(encodeRequest(n, req));
      const truncated = frame.subarray(0, 1 + (cut % (frame.length - 1)));
      const t = decodeRequestFrame(truncated);
      assert.equal(t.ok, false);
      if (truncated.length >= 9 && !t.ok) assert.equal(t.id, n);
      const flipped = Buffer.from(frame);
      const at = 1 + (flip % (flipped.length - 1));
      flipped[at] = flipped[at]! ^ 0xff;
      decodeRequestFrame(flipped); // may or may not decode; must not throw
      decodeResponseFrame(truncated); // a cut request may even read as some answer; must not throw
    }),
    // Found by fast-check: a truncated delete request that happens to be a well-formed delete answer.
    { examples: [[1, { op: 'delete', bucket: '   ', key: '       ', context: [['           ', 1]] }, 1448166179, 0]] },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (junk) => {
      const frame = Buffer.concat([Buffer.from([HOT_MARKER]), junk]);
      decodeRequestFrame(frame);
      decodeResponseFrame(frame);
    }),
  );
});
