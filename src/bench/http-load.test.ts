/** The HTTP load generator's answer reader and pool, against hand-made bytes and a node:http server. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import fc from 'fast-check';
import { AnswerReader, encodeRequest, HttpPool } from './http-load.js';

const answers = [
  'HTTP/1.1 204 No Content\r\nX-Dynamo-Context: abc\r\nConnection: keep-alive\r\n\r\n',
  'HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 5\r\nx-dynamo-context: def\r\n\r\nhello',
  'HTTP/1.1 404 Not Found\r\nContent-Length: 21\r\n\r\n{"error":"not found"}',
];

test('answers are read whole however the bytes are cut', () => {
  const stream = Buffer.from(answers.join(''));
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 12 }), (cuts) => {
      const reader = new AnswerReader();
      const read: { status: number; context: string | undefined }[] = [];
      let from = 0;
      for (const at of [...cuts.sort((a, b) => a - b), stream.length]) {
        for (const { answer } of reader.push(stream.subarray(from, at))) read.push(answer);
        from = at;
      }
      assert.deepEqual(read, [
        { status: 204, context: 'abc' },
        { status: 200, context: 'def' },
        { status: 404, context: undefined },
      ]);
    }),
    { numRuns: 300, seed: 20261205 },
  );
});

test('Connection: close is reported; chunked and non-HTTP answers are refused', () => {
  assert.equal(new AnswerReader().push(Buffer.from('HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n'))[0]!.close, true);
  assert.throws(() => new AnswerReader().push(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n')), /Content-Length/);
  assert.throws(() => new AnswerReader().push(Buffer.from('SSH-2.0-OpenSSH\r\n\r\n')), /not an HTTP/);
});

test('a request is its head, then its body', () => {
  const bytes = encodeRequest('PUT', 'h:1', '/kv/b/k', [['x-dynamo-context', 'ctx']], Buffer.from('value'));
  assert.equal(bytes.toString('latin1'), 'PUT /kv/b/k HTTP/1.1\r\nhost: h:1\r\nx-dynamo-context: ctx\r\ncontent-length: 5\r\n\r\nvalue');
});

let server: Server;
let port = 0;
let requests = 0;

before(async () => {
  server = createServer((req, res) => {
    requests++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      // Every third answer closes its connection, as a node going away would.
      if (requests % 3 === 0) res.setHeader('connection', 'close');
      const answer = req.method === 'PUT' ? undefined : 'x'.repeat(requests % 7);
      const length: Record<string, string> = answer === undefined ? {} : { 'content-length': String(answer.length) };
      res.writeHead(req.method === 'PUT' ? 204 : 200, { 'x-dynamo-context': `${req.method} ${req.url} [${body}]`, ...length });
      res.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('a pool of 4 connections answers 200 pipelined requests in order of their own, reconnecting after Connection: close', async () => {
  const pool = new HttpPool('127.0.0.1', port, 4);
  const host = `127.0.0.1:${port}`;
  const all = Array.from({ length: 200 }, (_, i) =>
    i % 2 === 0
      ? pool.request(encodeRequest('PUT', host, `/k${i}`, [], Buffer.from(`v${i}`)))
      : pool.request(encodeRequest('GET', host, `/k${i}`, [], null)),
  );
  const got = await Promise.all(all);
  got.forEach((answer, i) => {
    assert.equal(answer.status, i % 2 === 0 ? 204 : 200);
    assert.equal(answer.context, i % 2 === 0 ? `PUT /k${i} [v${i}]` : `GET /k${i} []`);
  });
  pool.close();
  await assert.rejects(pool.request(encodeRequest('GET', host, '/', [], null)), /closed/);
});

test('a refused connection fails the request, and the pool keeps working', async () => {
  const pool = new HttpPool('127.0.0.1', 1, 2);
  await assert.rejects(pool.request(encodeRequest('GET', 'x', '/', [], null)), /ECONNREFUSED/);
  await assert.rejects(pool.request(encodeRequest('GET', 'x', '/', [], null)), /ECONNREFUSED/);
  pool.close();
});
