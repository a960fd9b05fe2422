/**
 * The HTTP load generator's connections: keep-alive HTTP/1.1 over plain sockets, one request in
 * flight per connection, each request written as one buffer, and answers read just far enough
 * for a benchmark (status, Content-Length body, X-Dynamo-Context), as wrk does. undici, the
 * standard Node.js client, spent 23-27 µs of CPU per request on this machine, a quarter of the
 * two cores the nodes it measures share (docs/benchmarks.md); this is a third of that.
 *
 * Not a general client: it refuses chunked answers (the node always sends Content-Length), and a
 * connection that breaks fails its request and is opened again for the next one.
 */
import { connect, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

export interface HttpAnswer {
  readonly status: number;
  /** The X-Dynamo-Context header, when the answer had one. */
  readonly context: string | undefined;
}

interface Waiting {
  readonly request: Buffer;
  resolve(answer: HttpAnswer): void;
  reject(error: Error): void;
}

const HEADER_END = Buffer.from('\r\n\r\n');
/** An answer's head larger than this is not a node's. */
const MAX_HEAD_BYTES = 64 * 1024;

/** Encodes one request: its head, and the body after it when there is one. */
export function encodeRequest(method: string, host: string, path: string, headers: readonly (readonly [string, string])[], body: Buffer | null): Buffer {
  let head = `${method} ${path} HTTP/1.1\r\nhost: ${host}\r\n`;
  for (const [name, value] of headers) head += `${name}: ${value}\r\n`;
  if (body !== null) head += `content-length: ${body.length}\r\n`;
  head += '\r\n';
  const headBytes = Buffer.byteLength(head, 'latin1');
  const out = Buffer.allocUnsafe(headBytes + (body?.length ?? 0));
  out.write(head, 0, 'latin1');
  body?.copy(out, headBytes);
  return out;
}

/** Reads answers off one connection's byte stream. */
export class AnswerReader {
  private buffered: Buffer | null = null;
  private head: { status: number; context: string | undefined; bodyBytes: number; close: boolean } | null = null;

  /** Feeds bytes; returns the answers they complete (usually none or one). Throws on a malformed answer. */
  push(chunk: Buffer): { answer: HttpAnswer; close: boolean }[] {
    this.buffered = this.buffered === null ? chunk : Buffer.concat([this.buffered, chunk]);
    const done: { answer: HttpAnswer; close: boolean }[] = [];
    for (;;) {
      const buffered: Buffer = this.buffered;
      if (this.head === null) {
        const end = buffered.indexOf(HEADER_END);
        if (end === -1) {
          if (buffered.length > MAX_HEAD_BYTES) throw new Error('an answer head longer than 64 KiB');
          return done;
        }
        this.head = parseHead(buffered.toString('latin1', 0, end));
        this.buffered = buffered.subarray(end + HEADER_END.length);
        continue;
      }
      if (buffered.length < this.head.bodyBytes) return done;
      const { status, context, bodyBytes, close } = this.head;
      done.push({ answer: { status, context }, close });
      this.head = null;
      this.buffered = buffered.subarray(bodyBytes);
      if (this.buffered.length === 0) {
        this.buffered = null;
        return done;
      }
    }
  }
}

function parseHead(text: string): { status: number; context: string | undefined; bodyBytes: number; close: boolean } {
  const lines = text.split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]!);
  if (match === null) throw new Error(`not an HTTP/1.1 answer: ${JSON.stringify(lines[0]!.slice(0, 40))}`);
  const status = Number(match[1]);
  let context: string | undefined;
  let bodyBytes = 0;
  let close = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-length') bodyBytes = Number(value);
    else if (name === 'x-dynamo-context') context = value;
    else if (name === 'connection') close = value.toLowerCase() === 'close';
    else if (name === 'transfer-encoding') throw new Error(`the load generator reads Content-Length bodies only, not ${value}`);
  }
  if (!Number.isSafeInteger(bodyBytes) || bodyBytes < 0) throw new Error('a malformed Content-Length');
  return { status, context, bodyBytes, close };
}

/** One connection and the request in flight on it. */
class Connection {
  waiting: Waiting | undefined;
  error: Error | undefined;
  readonly reader = new AnswerReader();
  constructor(readonly socket: Socket) {}
}

/** Connections to one node, each with one request in flight; requests beyond them wait in order. */
export class HttpPool {
  private readonly idle: Connection[] = [];
  private readonly queue: Waiting[] = [];
  private open = 0;
  private closed = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly size: number,
    /** HTTPS: TLS connections trusting this CA (or the system's when none is given). */
    private readonly tls?: { readonly ca?: string | Buffer },
  ) {}

  request(request: Buffer): Promise<HttpAnswer> {
    if (this.closed) return Promise.reject(new Error('the pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.dispatch();
    });
  }

  close(): void {
    this.closed = true;
    for (const c of this.idle.splice(0)) c.socket.destroy();
    for (const w of this.queue.splice(0)) w.reject(new Error('the pool is closed'));
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.closed) {
      let connection = this.idle.pop();
      if (connection === undefined) {
        if (this.open >= this.size) return;
        connection = this.connect();
      }
      connection.waiting = this.queue.shift()!;
      connection.socket.write(connection.waiting.request);
    }
  }

  private connect(): Connection {
    this.open++;
    const tcp = { host: this.host, port: this.port, noDelay: true };
    const socket = this.tls === undefined ? connect(tcp) : connectTls({ ...tcp, ...(this.tls.ca === undefined ? {} : { ca: this.tls.ca }), ...(isIP(this.host) === 0 ? { servername: this.host } : {}) });
    const connection = new Connection(socket);
    connection.socket.on('data', (chunk: Buffer) => this.onData(connection, chunk));
    // 'close' always follows an error: it does the accounting.
    connection.socket.on('error', (error) => (connection.error ??= error));
    connection.socket.on('close', () => this.onClose(connection));
    return connection;
  }

  private onData(connection: Connection, chunk: Buffer): void {
    let answers;
    try {
      answers = connection.reader.push(chunk);
    } catch (err) {
      connection.error = err as Error;
      connection.socket.destroy();
      return;
    }
    for (const { answer, close } of answers) {
      const waiting = connection.waiting;
      connection.waiting = undefined;
      if (waiting === undefined) {
        connection.error = new Error('an answer to no request');
        connection.socket.destroy();
        return;
      }
      if (close) connection.socket.destroy();
      else this.idle.push(connection);
      waiting.resolve(answer);
    }
    this.dispatch();
  }

  private onClose(connection: Connection): void {
    this.open--;
    const at = this.idle.indexOf(connection);
    if (at !== -1) this.idle.splice(at, 1);
    const waiting = connection.waiting;
    connection.waiting = undefined;
    waiting?.reject(connection.error ?? new Error(`connection to ${this.host}:${this.port} closed`));
    this.dispatch();
  }
}
