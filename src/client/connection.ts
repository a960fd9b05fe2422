/**
 * One pipelined TCP connection to a node's client port. Requests get increasing ids and may all be
 * outstanding at once; answers come back in any order and are matched by id. Frames written in one
 * event-loop turn leave in one socket write (as the node does with its answers), and a request made
 * while the connection is still opening waits in that queue.
 *
 * Deadlines are checked by one coarse sweep per connection rather than a timer per request (a
 * timer per request is measurable at tens of thousands of requests a second). When the connection
 * fails or closes, every outstanding request fails with a ConnectionError: the caller decides
 * whether to try another node.
 */
import { connect, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { encodeAuthFrame, type Credentials } from '../protocol/client-auth-frame.js';
import type { ClientRequest, ClientResponse } from '../protocol/requests.js';
import { FrameQueue } from '../transport/frame-queue.js';
import { encodeFrame, FrameDecoder, FrameTooLargeError } from '../protocol/framing.js';
import { IdTable } from '../core/id-table.js';
import { ConnectionError, TimeoutError } from './errors.js';
import { decodeResponseFrame, encodeRequest } from '../protocol/client-wire.js';

export interface ConnectionOptions {
  readonly host: string;
  readonly port: number;
  readonly connectTimeoutMs: number;
  readonly maxFrameBytes: number;
  /** TLS to the node, trusting this CA (PEM). */
  readonly tls?: { readonly ca: string | Buffer };
  /** Sent as the connection's first frame (a secure node requires it). */
  readonly auth?: Credentials;
  /** Called once when the connection is gone (failed to open, closed, or broken). */
  readonly onGone: (connection: Connection, error: ConnectionError) => void;
}

interface Pending {
  readonly id: number;
  resolve(response: ClientResponse): void;
  reject(error: Error): void;
  readonly deadlineMs: number;
}

const SWEEP_INTERVAL_MS = 25;

export class Connection {
  private readonly socket: Socket;
  private readonly decoder: FrameDecoder;
  private readonly queue = new FrameQueue();
  /** Requests waiting for their answer, by id (an IdTable, not a Map: see core/id-table.ts). */
  private readonly pending = new IdTable<Pending>();
  private nextId = 1;
  private state: 'connecting' | 'up' | 'gone' = 'connecting';
  private flushScheduled = false;
  private readonly sweeper: NodeJS.Timeout;
  private readonly connectTimer: NodeJS.Timeout;
  /** What the node said with id 0 before closing (a refused authentication), for the error message. */
  private complaint: string | null = null;

  constructor(private readonly options: ConnectionOptions) {
    this.decoder = new FrameDecoder(options.maxFrameBytes);
    const tcp = { host: options.host, port: options.port, noDelay: true };
    this.socket = options.tls === undefined ? connect(tcp) : connectTls({ ...tcp, ca: options.tls.ca, ...(isIP(options.host) === 0 ? { servername: options.host } : {}) });
    this.connectTimer = setTimeout(() => this.fail(`could not connect to ${this.address} within ${options.connectTimeoutMs} ms`), options.connectTimeoutMs);
    this.socket.once(options.tls === undefined ? 'connect' : 'secureConnect', () => {
      clearTimeout(this.connectTimer);
      this.state = 'up';
      if (options.auth !== undefined) this.socket.write(encodeFrame(encodeAuthFrame(options.auth)));
      this.flush();
    });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('drain', () => this.flush());
    this.socket.on('error', (error: NodeJS.ErrnoException) => this.fail(`connection to ${this.address} failed: ${error.code ?? error.message}`));
    this.socket.on('close', () => this.fail(`connection to ${this.address} closed`));
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  get address(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  get isGone(): boolean {
    return this.state === 'gone';
  }

  get inFlight(): number {
    return this.pending.size;
  }

  send(request: ClientRequest, timeoutMs: number): Promise<ClientResponse> {
    if (this.state === 'gone') return Promise.reject(new ConnectionError(`connection to ${this.address} is closed`));
    const id = this.nextId++;
    const payload = encodeRequest(id, request);
    return new Promise<ClientResponse>((resolve, reject) => {
      this.pending.set(id, { id, resolve, reject, deadlineMs: Date.now() + timeoutMs });
      this.queue.append(payload);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  close(): void {
    this.fail(`connection to ${this.address} closed by the client`);
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.state !== 'up' || this.socket.writableNeedDrain) return;
    this.queue.writeTo(this.socket);
  }

  private onData(chunk: Buffer): void {
    let frames: Uint8Array[];
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      if (!(error instanceof FrameTooLargeError)) throw error;
      frames = [...error.framesBefore];
      for (const frame of frames) this.onFrame(frame);
      return this.fail(`${this.address} sent an unreadable stream (${error.message})`);
    }
    for (const frame of frames) this.onFrame(frame);
  }

  private onFrame(payload: Uint8Array): void {
    const frame = decodeResponseFrame(payload);
    if (frame === null) return this.fail(`${this.address} sent an unreadable frame`);
    if (frame.id === 0 && !frame.response.ok) this.complaint = `${frame.response.error}: ${frame.response.message}`;
    const pending = this.pending.get(frame.id);
    // An answer to a request that already timed out, or an id-0 complaint about a frame we sent.
    if (pending === undefined) return;
    this.pending.delete(frame.id);
    pending.resolve(frame.response);
  }

  private sweep(): void {
    if (this.pending.size === 0) return;
    const now = Date.now();
    for (const pending of this.pending.values()) {
      if (pending.deadlineMs > now) continue;
      this.pending.delete(pending.id);
      pending.reject(new TimeoutError(`no answer from ${this.address} in time`));
    }
  }

  private fail(message: string): void {
    if (this.state === 'gone') return;
    this.state = 'gone';
    clearTimeout(this.connectTimer);
    clearInterval(this.sweeper);
    this.socket.destroy();
    this.queue.clear();
    const error = new ConnectionError(this.complaint === null ? message : `${message} (${this.complaint})`);
    const pending = this.pending.values();
    this.pending.clear();
    for (const p of pending) p.reject(error);
    this.options.onGone(this, error);
  }
}
