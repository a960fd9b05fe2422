/**
 * The Redis-protocol (RESP2) port of a node: an adapter at the edge that turns Redis commands into
 * the ClientRequests the HTTP API and the binary client protocol send (dispatcher.ts and the
 * command families), and their results into Redis replies.
 *
 * A connection parses what it reads (parser.ts: partial frames, pipelines, inline commands, every
 * length limited) and starts each command at once, so a pipeline's commands run concurrently,
 * except that one touching a key an earlier unfinished command (one of the two writing) touches
 * waits for it (key-order.ts); the replies go out in the order the commands came, as RESP
 * requires (reply-order.ts). Replies ready in one event-loop turn are written to the socket together at
 * the end of the turn, like the binary client protocol's. Back-pressure: a connection with
 * `maxInFlight` commands unanswered, or more than 8 MiB of replies its client has not read, keeps
 * the commands it already parsed in a backlog and stops reading its socket until there is room.
 *
 * A protocol error (a stream that cannot be followed) is answered with Redis's wording after the
 * replies before it, and the connection is closed, as Redis does; nothing a client sends crashes
 * the node. QUIT closes once its +OK is written.
 *
 * With security on (--certs-dir) the port speaks TLS with the node's certificate, as the client
 * port does, and connections log in with AUTH (access.ts).
 */
import { TurnFlusher } from '../turn-flusher.js';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Authenticator } from '../../security/auth.js';
import { guardedBackend } from './access.js';
import { typedBuckets } from './typed-buckets.js';
import type { Logger } from '../../runtime/logger.js';
import { accessOf, dispatch } from './dispatcher.js';
import { KeyOrder } from './key-order.js';
import { error, type Reply } from './encoder.js';
import { ReplyOrder } from './reply-order.js';
import { RespParser, DEFAULT_PARSER_LIMITS, type Parsed, type ParserLimits } from './parser.js';
import type { CommandContext, RespBackend, RespObserver, ServerFacts, Session } from './types.js';

export interface RespServerOptions {
  readonly host: string;
  readonly port: number;
  readonly backend: RespBackend;
  readonly logger: Logger;
  readonly nodeId: string;
  readonly maxValueBytes: number;
  /** Bucket of the keys of a new connection; made `lww` on first use unless its properties were set. */
  readonly bucket?: string;
  /** Commands one connection may have unanswered before the node stops reading from it. */
  readonly maxInFlight?: number;
  readonly maxConnections?: number;
  readonly metrics?: RespObserver;
  readonly version?: string;
  /** The node's certificate and key: the port speaks TLS (security on, --certs-dir). */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Security on: connections log in with AUTH as the cluster's users (access.ts). */
  readonly auth?: Authenticator;
}

export interface RespServer {
  readonly port: number;
  readonly connectionCount: number;
  close(): Promise<void>;
}

export const DEFAULT_RESP_BUCKET = 'redis';
export const DEFAULT_MAX_IN_FLIGHT = 1024;
export const DEFAULT_MAX_CONNECTIONS = 10_000;
/** Replies a client has not read yet beyond which its connection is not read either. */
const MAX_UNSENT_BYTES = 8 * 1024 * 1024;
/** Below this a turn's replies are joined into one buffer; above, they are written as a corked run. */
const JOIN_BYTES = 64 * 1024;
const KEY_ESTIMATE_TTL_MS = 5000;

export async function startRespServer(options: RespServerOptions): Promise<RespServer> {
  const connections = new Set<RespConnection>();
  const flusher = new TurnFlusher<RespConnection>();
  let boundPort = options.port;
  const shared: ConnectionShared = {
    options,
    limits: parserLimits(options.maxValueBytes),
    maxInFlight: options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
    facts: serverFacts(options, () => boundPort, () => connections.size),
    nextId: 1,
    requestFlush(connection) {
      flusher.request(connection);
    },
    gone(connection) {
      connections.delete(connection);
      flusher.forget(connection);
    },
  };
  options.backend.addFlushHook?.(flusher.flushAll);
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const accept = (socket: Socket): void => {
    if (connections.size >= maxConnections) {
      socket.end('-ERR max number of clients reached\r\n');
      return;
    }
    connections.add(new RespConnection(socket, shared));
  };
  const tls = options.tls;
  const server: Server = tls === undefined ? createServer(accept) : createTlsServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' }, accept);
  if (tls !== undefined) server.on('tlsClientError', (err: Error) => options.logger.debug({ error: err.message }, 'RESP TLS handshake failed'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => options.logger.error({ error: err.message }, 'RESP listener error'));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  boundPort = port;
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

export function parserLimits(maxValueBytes: number): ParserLimits {
  return {
    ...DEFAULT_PARSER_LIMITS,
    maxBulkBytes: maxValueBytes,
    maxSkipBytes: Math.max(DEFAULT_PARSER_LIMITS.maxSkipBytes, maxValueBytes),
    maxCommandBytes: Math.max(DEFAULT_PARSER_LIMITS.maxCommandBytes, 4 * maxValueBytes),
  };
}

function serverFacts(options: RespServerOptions, port: () => number, connectionCount: () => number): ServerFacts {
  const backend = options.backend;
  const defaultBucket = options.bucket ?? DEFAULT_RESP_BUCKET;
  let bucketPrepared = false;
  let estimate = { keys: 0, atMs: -Infinity };
  return {
    typedBuckets: typedBuckets(backend, options.logger),
    auth: options.auth,
    nodeId: options.nodeId,
    get port() {
      return port();
    },
    defaultBucket,
    startedMs: Date.now(),
    version: options.version ?? '0.1.0',
    maxValueBytes: options.maxValueBytes,
    connectionCount,
    keyEstimate() {
      const now = Date.now();
      if (now - estimate.atMs < KEY_ESTIMATE_TTL_MS) return estimate.keys;
      const view = backend.cluster();
      const members = view?.members.length ?? 1;
      const replicas = Math.max(1, Math.min(view?.n ?? 1, members));
      estimate = { keys: Math.round((backend.localRecordCount() * members) / replicas), atMs: now };
      return estimate.keys;
    },
    prepareBucket(bucket) {
      // Only once the node serves: before it joined, its bucket table may not have arrived yet.
      if (bucketPrepared || bucket !== defaultBucket || !backend.isServing()) return;
      bucketPrepared = true;
      if (backend.hasBucketProps(bucket)) return;
      // Submitted before the command that triggered it, so the node applies it first.
      backend.submit({ op: 'setBucket', bucket, change: { conflict: 'lww' } }, (response) => {
        if (response.ok) return options.logger.info({ bucket }, 'created the RESP bucket in lww mode');
        bucketPrepared = false;
        options.logger.warn({ bucket, error: response.message }, 'could not make the RESP bucket lww; will try again');
      });
    },
  };
}

interface ConnectionShared {
  readonly options: RespServerOptions;
  readonly limits: ParserLimits;
  readonly maxInFlight: number;
  readonly facts: ServerFacts;
  nextId: number;
  requestFlush(connection: RespConnection): void;
  gone(connection: RespConnection): void;
}

class RespConnection {
  private readonly parser: RespParser;
  private readonly session: Session;
  private readonly keyOrder = new KeyOrder();
  private readonly order = new ReplyOrder();
  private out: Buffer[] = [];
  private outBytes = 0;
  /** Parsed while full, oldest first from `backlogHead`. */
  private backlog: Parsed[] = [];
  private backlogHead = 0;
  private paused = false;
  private pumping = false;
  /** After the reply at this position is written, the connection ends (QUIT, protocol error). */
  private closeAfterSeq = -1;
  private closed = false;
  private readonly remote: string;
  /** The node as this connection's user may use it (every request authorized when security is on). */
  private readonly backend: RespBackend;

  constructor(
    private readonly socket: Socket,
    private readonly shared: ConnectionShared,
  ) {
    this.parser = new RespParser(shared.limits);
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    const session: Session = {
      id: shared.nextId++, protocol: 2, name: null, libName: null, libVersion: null, bucket: shared.facts.defaultBucket, quitting: false,
      principal: null, waitingForLogin: null, remote: socket.remoteAddress ?? 'unknown',
    };
    this.session = session;
    this.backend = guardedBackend(shared.options.backend, session, shared.facts);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => {
      this.flush();
      this.pump();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      shared.options.logger.debug({ client: this.remote, error: err.code ?? err.message }, 'RESP connection error');
    });
    socket.on('close', () => {
      this.closed = true;
      this.out = [];
      shared.gone(this);
    });
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  /** Hands the replies queued since the last flush to the socket, as one write. */
  flush(): void {
    if (this.closed || this.out.length === 0 || this.socket.writableNeedDrain) return;
    const chunks = this.out;
    this.out = [];
    const bytes = this.outBytes;
    this.outBytes = 0;
    if (chunks.length === 1) this.socket.write(chunks[0]!);
    else if (bytes <= JOIN_BYTES) this.socket.write(Buffer.concat(chunks, bytes));
    else {
      this.socket.cork();
      for (const chunk of chunks) this.socket.write(chunk);
      this.socket.uncork();
    }
    if (this.closeAfterSeq >= 0 && this.order.delivered > this.closeAfterSeq) {
      this.closed = true;
      this.socket.end();
    }
  }

  private onData(chunk: Buffer): void {
    if (this.closed || this.closeAfterSeq >= 0) return;
    for (const parsed of this.parser.push(chunk)) this.onParsed(parsed);
  }

  private onParsed(parsed: Parsed): void {
    if (this.closeAfterSeq >= 0) return;
    if (this.backlogHead < this.backlog.length || this.isFull()) {
      this.backlog.push(parsed);
      if (!this.paused) {
        this.paused = true;
        this.socket.pause();
      }
      return;
    }
    this.start(parsed);
  }

  private start(parsed: Parsed): void {
    if (this.closeAfterSeq >= 0) return;
    const seq = this.order.open();
    switch (parsed.kind) {
      case 'command': {
        const ctx: CommandContext = { backend: this.backend, session: this.session, bucket: this.session.bucket, server: this.shared.facts, metrics: this.shared.options.metrics };
        const access = accessOf(parsed.args, ctx.bucket);
        if (access === null) this.run(ctx, seq, parsed.args, null);
        else {
          this.shared.facts.prepareBucket(ctx.bucket);
          this.keyOrder.submit(access, (finished) => this.run(ctx, seq, parsed.args, finished));
        }
        if (this.session.quitting) this.closeAfterSeq = seq;
        return;
      }
      case 'refused':
        return this.settle(seq, error(`ERR ${parsed.message}`));
      case 'protocolError':
        this.shared.options.logger.warn({ client: this.remote, reason: parsed.message }, 'closing a RESP connection after a protocol error');
        this.closeAfterSeq = seq;
        return this.settle(seq, error(`ERR ${parsed.message}`));
    }
  }

  /** Runs a command; a bug in one is answered as an error and logged, never taken down with the node. */
  private run(ctx: CommandContext, seq: number, args: Buffer[], finished: (() => void) | null): void {
    let answered = false;
    const answer = (reply: Reply): void => {
      answered = true;
      this.settle(seq, reply);
      finished?.();
    };
    try {
      dispatch(ctx, args, answer);
    } catch (err) {
      this.shared.options.logger.error({ client: this.remote, command: args[0]!.toString('latin1').slice(0, 64), error: (err as Error).message }, 'RESP command failed');
      if (!answered) answer(error('ERR internal error; see the node log'));
    }
  }

  /** The reply of command `seq` is ready: it, and the ready ones after it, go out in order. */
  private settle(seq: number, reply: Reply): void {
    const emitted = this.order.settle(seq, reply, (ready) => {
      if (this.closed) return;
      this.out.push(ready);
      this.outBytes += ready.length;
    });
    if (emitted === 0) return;
    this.shared.requestFlush(this);
    this.pump();
  }

  /** While paused: starts backlogged commands as room frees up, and reads again once it is ample. */
  private pump(): void {
    // Commands answered at once call back into pump; the outer call's loop goes on for them.
    if (!this.paused || this.closed || this.pumping) return;
    this.pumping = true;
    while (this.backlogHead < this.backlog.length && !this.isFull()) this.start(this.backlog[this.backlogHead++]!);
    this.pumping = false;
    if (this.backlogHead < this.backlog.length) return;
    this.backlog = [];
    this.backlogHead = 0;
    if (this.order.unanswered <= this.shared.maxInFlight / 2 && this.unsentBytes() <= MAX_UNSENT_BYTES / 2) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private isFull(): boolean {
    return this.order.unanswered >= this.shared.maxInFlight || this.unsentBytes() > MAX_UNSENT_BYTES;
  }

  private unsentBytes(): number {
    return this.outBytes + this.socket.writableLength;
  }
}
