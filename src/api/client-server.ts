/**
 * The binary client protocol on a node: TCP, length-prefixed msgpack frames (see client/wire.ts),
 * the same operations, options and errors as the HTTP API, without HTTP's parsing and headers.
 *
 * Each connection decodes its frames, validates each request exactly as a forwarded one is
 * validated (plus the context check the HTTP API does when it decodes X-Dynamo-Context), and hands
 * it to the runtime; many requests may be in flight per connection and are answered in completion
 * order, each tagged with its id. Answers produced in one event-loop turn are coalesced, for every
 * connection, into one socket write at the end of the turn (PERF-NOTES: loopback writes are the
 * largest CPU item; the transport does the same). A connection with `maxInFlight` requests
 * outstanding, or with more than 8 MiB of answers it has not read, holds further frames it already
 * read in a backlog and stops reading from its socket until the backlog is gone and there is ample
 * room again (back-pressure instead of growth).
 *
 * Bad input never crashes the node: an unreadable frame or an invalid request gets an error
 * response (id 0 when no id could be read) and the connection goes on; an oversize length prefix,
 * which is what garbage or another protocol looks like here, gets a last error frame and the
 * connection is closed with a warning.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { CLIENT_CONNECTIONS_MAX } from '../core/limits.js';
import { TurnFlusher } from './turn-flusher.js';
import { createServer as createTlsServer } from 'node:tls';
import { decodeAuthFrame } from '../protocol/client-auth-frame.js';
import { authorize, type Authenticator, type Principal } from '../security/auth.js';
import { actionOfRequest } from '../security/request-action.js';
import { isVersionVector } from '../core/versions/index.js';
import { validateClientRequest } from '../protocol/validate-request.js';
import { clientError, type ClientRequest, type ClientResponse } from '../protocol/requests.js';
import type { Logger } from '../runtime/logger.js';
import { FrameQueue } from '../transport/frame-queue.js';
import { FrameDecoder, FrameTooLargeError } from '../protocol/framing.js';
import { decodeRequestFrame, encodeResponse, UNKNOWN_REQUEST_ID } from '../protocol/client-wire.js';

/** What the server needs of the node: NodeRuntime satisfies it. */
export interface RequestHandler {
  /** Runs a request; `respond` is called once with its response. */
  submit(request: ClientRequest, respond: (response: ClientResponse) => void): void;
  /** Asks to be called when the node has delivered a turn's responses, so they can be written at once. */
  addFlushHook?(hook: () => void): void;
}

export interface RequestObserver {
  observe(op: string, outcome: string, seconds: number): void;
}

export interface ClientServerOptions {
  readonly host: string;
  readonly port: number;
  readonly runtime: RequestHandler;
  readonly logger: Logger;
  readonly maxValueBytes: number;
  /** Requests one connection may have outstanding before the node stops reading from it. */
  readonly maxInFlight?: number;
  readonly metrics?: RequestObserver;
  /** TLS with this certificate and key (PEM) instead of plain TCP. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Every connection authenticates in its first frame (client/auth-frame.ts); every request is authorized. */
  readonly auth?: Authenticator;
  /** Counts refusals (for the node's metrics). */
  readonly onRefused?: (kind: 'unauthenticated' | 'forbidden') => void;
}

export interface ClientServer {
  readonly port: number;
  readonly connectionCount: number;
  close(): Promise<void>;
}

export const DEFAULT_MAX_IN_FLIGHT = 1024;
/** Answers a client has not read yet beyond which its connection is not read either. */
const MAX_UNSENT_BYTES = 8 * 1024 * 1024;
/** Room for the bucket, key, context and options around a value of the largest accepted size. */
const FRAME_OVERHEAD_BYTES = 64 * 1024;

export async function startClientServer(options: ClientServerOptions): Promise<ClientServer> {
  const connections = new Set<ClientConnection>();
  const flusher = new TurnFlusher<ClientConnection>();
  const shared: ConnectionShared = {
    options,
    maxFrameBytes: options.maxValueBytes + FRAME_OVERHEAD_BYTES,
    maxInFlight: options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
    requestFlush(connection) {
      flusher.request(connection);
    },
    gone(connection) {
      connections.delete(connection);
      flusher.forget(connection);
    },
  };
  options.runtime.addFlushHook?.(flusher.flushAll);
  const accept = (socket: Socket): void => {
    connections.add(new ClientConnection(socket, shared));
  };
  const server: Server = options.tls === undefined ? createServer(accept) : createTlsServer({ cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' }, accept);
  if (options.tls !== undefined) server.on('tlsClientError', (err: Error) => options.logger.debug({ error: err.message }, 'client TLS handshake failed'));
  // Past the limit new connections are refused at once (Node closes them), each one logged.
  server.maxConnections = CLIENT_CONNECTIONS_MAX;
  server.on('drop', (data) => options.logger.warn({ client: `${data?.remoteAddress ?? '?'}:${data?.remotePort ?? '?'}`, limit: CLIENT_CONNECTIONS_MAX }, 'refused a client connection: too many open'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => options.logger.error({ error: err.message }, 'client protocol listener error'));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    port,
    get connectionCount() {
      return connections.size;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const connection of connections) connection.close();
        flusher.cancel();
      });
    },
  };
}

interface ConnectionShared {
  readonly options: ClientServerOptions;
  readonly maxFrameBytes: number;
  readonly maxInFlight: number;
  requestFlush(connection: ClientConnection): void;
  gone(connection: ClientConnection): void;
}

class ClientConnection {
  private readonly decoder: FrameDecoder;
  private readonly queue = new FrameQueue();
  private inFlight = 0;
  private paused = false;
  /** Frames read while `maxInFlight` requests were outstanding, oldest first from `backlogHead`. */
  private backlog: Uint8Array[] = [];
  private backlogHead = 0;
  private closed = false;
  private warnedBadFrame = false;
  private readonly remote: string;
  /** Security on: who this connection proved to be; 'pending' while its credentials are being verified. */
  private principal: Principal | 'none' | 'pending' | null = 'none';

  constructor(
    private readonly socket: Socket,
    private readonly shared: ConnectionShared,
  ) {
    this.decoder = new FrameDecoder(shared.maxFrameBytes);
    if (shared.options.auth === undefined) this.principal = null;
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => {
      this.flush();
      this.pump();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      shared.options.logger.debug({ client: this.remote, error: error.code ?? error.message }, 'client connection error');
    });
    socket.on('close', () => {
      this.closed = true;
      this.queue.clear();
      shared.gone(this);
    });
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  /** Hands every answer queued since the last flush to the socket as one write. */
  flush(): void {
    if (this.closed || this.socket.writableNeedDrain) return;
    this.queue.writeTo(this.socket);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Uint8Array[];
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      if (!(error instanceof FrameTooLargeError)) throw error;
      for (const frame of error.framesBefore) this.onFrame(frame);
      return this.reject(error.message);
    }
    for (const frame of frames) this.onFrame(frame);
  }

  private onFrame(payload: Uint8Array): void {
    if (this.principal === 'none') return this.authenticate(payload);
    if (this.principal === 'pending' || this.isFull()) {
      this.backlog.push(payload);
      if (!this.paused) {
        this.paused = true;
        this.socket.pause();
      }
      return;
    }
    const frame = decodeRequestFrame(payload);
    if (!frame.ok) {
      this.warnBadFrame(frame.error);
      return this.answer(frame.id, clientError('bad_request', frame.error));
    }
    const request = checkRequest(frame.request);
    if (typeof request === 'string') return this.answer(frame.id, clientError('bad_request', request));
    this.startRequest(frame.id, request, frame.hot);
  }

  /** The first frame of a connection when security is on; requests behind it wait in the backlog. */
  private authenticate(payload: Uint8Array): void {
    const auth = this.shared.options.auth!;
    const credentials = decodeAuthFrame(payload);
    if (credentials === null) return this.refuse('unauthenticated', 'authentication required: the first frame must carry credentials');
    const cached = auth.cached(credentials.user, credentials.password);
    if (cached !== undefined) {
      this.principal = cached;
      return;
    }
    this.principal = 'pending';
    this.paused = true;
    this.socket.pause();
    void auth.authenticate(credentials.user, credentials.password, this.socket.remoteAddress ?? 'unknown').then((result) => {
      if (this.closed) return;
      if (!result.ok) return this.refuse('unauthenticated', result.message);
      this.principal = result.principal;
      this.pump();
    });
  }

  private refuse(kind: 'unauthenticated' | 'forbidden', message: string): void {
    this.shared.options.onRefused?.(kind);
    this.answer(UNKNOWN_REQUEST_ID, clientError(kind, message));
    this.flush();
    this.closed = true;
    this.socket.end();
    this.socket.destroySoon();
  }

  private startRequest(id: number, request: ClientRequest, hot: boolean): void {
    const principal = this.principal;
    if (principal !== null && typeof principal === 'object') {
      const allowed = authorize(principal, actionOfRequest(request));
      if (!allowed.ok) {
        this.shared.options.onRefused?.('forbidden');
        return this.answer(id, clientError('forbidden', allowed.message));
      }
    }
    this.inFlight++;
    const startedMs = performance.now();
    const metrics = this.shared.options.metrics;
    this.shared.options.runtime.submit(request, (response) => {
      if (metrics !== undefined) metrics.observe(request.op, response.ok ? 'ok' : response.error, (performance.now() - startedMs) / 1000);
      this.finish(id, response, hot);
    });
  }

  private finish(id: number, response: ClientResponse, hot = false): void {
    this.inFlight--;
    this.answer(id, response, hot);
    this.pump();
  }

  /** While paused: starts backlogged frames as room frees up, and reads again once it is ample. */
  private pump(): void {
    if (!this.paused || this.closed) return;
    while (this.backlogHead < this.backlog.length && !this.isFull()) this.onFrame(this.backlog[this.backlogHead++]!);
    if (this.backlogHead < this.backlog.length) return;
    this.backlog = [];
    this.backlogHead = 0;
    if (this.inFlight <= this.shared.maxInFlight / 2 && this.unsentBytes() <= MAX_UNSENT_BYTES / 2) {
      this.paused = false;
      this.socket.resume();
    }
  }

  /** Too many requests outstanding, or too many answers the client has not read yet. */
  private isFull(): boolean {
    return this.inFlight >= this.shared.maxInFlight || this.unsentBytes() > MAX_UNSENT_BYTES;
  }

  private unsentBytes(): number {
    return this.queue.byteLength + this.socket.writableLength;
  }

  private answer(id: number, response: ClientResponse, hot = false): void {
    if (this.closed) return;
    this.queue.append(encodeResponse(id, response, hot));
    this.shared.requestFlush(this);
  }

  /** The stream cannot be followed any more: say why in a last frame, then close. */
  private reject(reason: string): void {
    this.shared.options.logger.warn({ client: this.remote, reason }, 'closing a client connection that sent an unreadable stream');
    this.answer(UNKNOWN_REQUEST_ID, clientError('bad_request', `unreadable stream (${reason}); closing the connection`));
    this.flush();
    this.closed = true;
    this.socket.end();
    this.socket.destroySoon();
  }

  private warnBadFrame(error: string): void {
    if (this.warnedBadFrame) return;
    this.warnedBadFrame = true;
    this.shared.options.logger.warn({ client: this.remote, error }, 'malformed client frame answered with an error (further ones on this connection are not logged)');
  }
}

/** validateClientRequest, plus what the HTTP API checks when it decodes a context header. */
function checkRequest(raw: unknown): ClientRequest | string {
  const request = validateClientRequest(raw);
  if (typeof request === 'string') return request;
  if ((request.op === 'put' || request.op === 'delete') && !isVersionVector(request.context)) {
    return 'malformed context: a version vector sorted by node with positive counters';
  }
  return request;
}
