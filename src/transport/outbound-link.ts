/**
 * One peer as seen by the sender: the single outbound TCP connection to it, the frames waiting for
 * that connection, and the reconnect loop.
 *
 * States: idle (never asked to send) → connecting → up → waiting (backoff timer) → connecting … and
 * closed, which is final. Frames queue in every state but closed, bounded by `maxQueuedBytes` (the
 * queue plus what the socket still buffers), and whatever was not yet handed to a socket is flushed
 * after a reconnect, behind a fresh hello. Bytes a dead socket had already taken are lost: delivery
 * is best effort and the node retries on its own timeouts.
 *
 * Connectivity news must be prompt but not noisy: `peerUp` once per down→up, `peerDown` once per
 * up→down and once when the first attempt fails; the reconnect attempts against a dead peer
 * (ECONNREFUSED every backoff period) stay silent. Handlers are called last in each event, after
 * the link's own state is consistent, because a handler may send or close the transport.
 */
import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { PeerAddress } from '../core/ids.js';
import { assert } from '../core/assert.js';
import type { HostPort } from '../core/address.js';
import { reconnectDelayMs, type BackoffPolicy } from './backoff.js';
import { FrameQueue } from './frame-queue.js';
import { FRAME_HEADER_BYTES } from '../protocol/framing.js';
import { encodeHello } from './hello.js';
import { dialTlsOptions } from './tls.js';
import type { FlushPolicy, PeerTlsOptions, SendResult, TransportHandlers, TransportLogger } from './types.js';

export interface OutboundLinkConfig {
  readonly peer: PeerAddress;
  readonly target: HostPort;
  /** Read at each connect, so a transport bound to port 0 announces its real port. */
  readonly localAddress: () => PeerAddress;
  /**
   * The IP address outgoing connections leave from (the node's --host), so that peers and
   * firewalls see the address the node advertises; undefined: the kernel picks (a wildcard or a
   * host name as --host).
   */
  readonly bindAddress?: string | undefined;
  readonly handlers: TransportHandlers;
  readonly logger: TransportLogger;
  readonly maxQueuedBytes: number;
  readonly backoff: BackoffPolicy;
  readonly connectTimeoutMs: number;
  readonly flushPolicy: FlushPolicy;
  /** Read at each connect and sent in the hello. */
  readonly clusterId: () => string | null;
  /** Dial with TLS (tls.ts); undefined: plain TCP. */
  readonly tls: PeerTlsOptions | undefined;
  /** Asks the transport to call `flush` at the end of this event-loop turn. */
  readonly requestFlush: (link: OutboundLink) => void;
}

type LinkState = 'idle' | 'connecting' | 'up' | 'waiting' | 'closed';

const KEEPALIVE_DELAY_MS = 5_000;

export class OutboundLink {
  private state: LinkState = 'idle';
  private socket: Socket | undefined;
  /** The connect timeout while connecting, the backoff timer while waiting. */
  private timer: NodeJS.Timeout | undefined;
  private failedAttempts = 0;
  private announced: 'nothing' | 'up' | 'down' = 'nothing';
  private lastError: string | undefined;
  private dropWarned = false;
  private readonly queue = new FrameQueue();
  /** Transitional mode: the last TLS attempt failed, so the next one is plain (the peer may not speak TLS yet). */
  private tlsFailed = false;
  private attemptIsTls = false;

  constructor(private readonly config: OutboundLinkConfig) {}

  get connected(): boolean {
    return this.state === 'up';
  }

  get queuedBytes(): number {
    return this.queue.byteLength + (this.socket?.writableLength ?? 0);
  }

  send(payload: Uint8Array): SendResult {
    if (this.state === 'closed') return 'dropped';
    if (this.queuedBytes + FRAME_HEADER_BYTES + payload.byteLength > this.config.maxQueuedBytes) {
      this.warnDropOnce();
      return 'dropped';
    }
    this.queue.append(payload);
    if (this.state === 'idle') this.connect();
    else if (this.state === 'up') {
      if (this.config.flushPolicy === 'frame') this.flush();
      else this.config.requestFlush(this);
    }
    return 'queued';
  }

  /** Hands everything queued to the socket in one write (several buffers go out as one writev). */
  flush(): void {
    const socket = this.socket;
    if (this.state !== 'up' || socket === undefined || socket.writableNeedDrain) return;
    if (this.queue.writeTo(socket) > 0) this.dropWarned = false;
  }

  /** Sends what is queued if the connection is up, then ends it; never waits longer than the connect timeout. */
  close(): Promise<void> {
    const wasUp = this.state === 'up';
    if (wasUp) this.flush();
    this.state = 'closed';
    this.clearTimer();
    this.queue.clear();
    const socket = this.socket;
    if (socket === undefined || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const force = setTimeout(() => socket.destroy(), this.config.connectTimeoutMs);
      socket.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      if (wasUp) socket.end();
      else socket.destroy();
    });
  }

  private connect(): void {
    assert(this.socket === undefined && this.timer === undefined, 'one connection attempt at a time');
    this.state = 'connecting';
    this.lastError = undefined;
    const { host, port } = this.config.target;
    const tls = this.config.tls;
    this.attemptIsTls = tls !== undefined && !(tls.mode === 'transitional' && this.tlsFailed);
    // Outgoing connections leave from the node's own address (--host), so peers and firewalls see
    // the address it advertises (as Cassandra's listen_address does).
    const bind = this.config.bindAddress;
    const tcpOptions = { host, port, noDelay: true, keepAlive: true, keepAliveInitialDelay: KEEPALIVE_DELAY_MS, ...(bind === undefined ? {} : { localAddress: bind }) };
    const socket = tls !== undefined && this.attemptIsTls ? connectTls({ ...tcpOptions, ...dialTlsOptions(tls, host) }) : connect(tcpOptions);
    this.socket = socket;
    this.timer = setTimeout(() => this.onConnectTimeout(socket), this.config.connectTimeoutMs);
    socket.once(this.attemptIsTls ? 'secureConnect' : 'connect', () => this.onConnect(socket));
    socket.on('error', (error: NodeJS.ErrnoException) => this.onError(socket, error));
    socket.on('close', () => this.onClose(socket));
    socket.on('drain', () => this.flush());
    // Outbound connections are for sending only; reading keeps 'end' flowing so a closed peer is seen.
    socket.on('data', () => this.onUnexpectedData(socket));
  }

  private onConnect(socket: Socket): void {
    if (socket !== this.socket || this.state !== 'connecting') return;
    this.clearTimer();
    this.state = 'up';
    this.failedAttempts = 0;
    socket.cork();
    socket.write(encodeHello(this.config.localAddress(), this.config.clusterId()));
    this.flush();
    socket.uncork();
    this.config.logger.info({ peer: this.config.peer }, 'peer connection up');
    this.announced = 'up';
    this.config.handlers.peerUp(this.config.peer);
  }

  private onConnectTimeout(socket: Socket): void {
    this.timer = undefined;
    this.lastError = `connect timeout after ${this.config.connectTimeoutMs} ms`;
    socket.destroy();
  }

  private onError(socket: Socket, error: NodeJS.ErrnoException): void {
    if (socket !== this.socket) return;
    // ECONNREFUSED, ECONNRESET, EPIPE and friends are the normal face of a dead peer: no stack traces.
    this.lastError = error.code ?? error.message;
    this.config.logger.debug({ peer: this.config.peer, error: this.lastError }, 'peer connection error');
  }

  private onUnexpectedData(socket: Socket): void {
    this.lastError = 'peer wrote on an outbound connection';
    this.config.logger.warn({ peer: this.config.peer }, 'closing outbound connection: the peer sent data on it');
    socket.destroy();
  }

  private onClose(socket: Socket): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    this.clearTimer();
    if (this.state === 'closed') return;
    const wasUp = this.state === 'up';
    if (this.config.tls?.mode === 'transitional') {
      // A TLS attempt that never got up: the peer may still be plain. A plain connection that
      // closed: the peer may have gone TLS-only meanwhile (a strict server drops plain right away).
      if (!this.attemptIsTls) this.tlsFailed = false;
      else if (!wasUp) this.tlsFailed = true;
    }
    const reason = this.lastError ?? (wasUp ? 'connection closed' : 'connection failed');
    this.state = 'waiting';
    const delayMs = reconnectDelayMs(this.config.backoff, this.failedAttempts, Math.random());
    this.failedAttempts += 1;
    this.timer = setTimeout(() => this.onBackoffOver(), delayMs);
    if (this.announced === 'down') return;
    this.announced = 'down';
    this.config.logger.info({ peer: this.config.peer, reason, wasUp }, 'peer connection down');
    this.config.handlers.peerDown(this.config.peer, reason);
  }

  private onBackoffOver(): void {
    this.timer = undefined;
    if (this.state === 'waiting') this.connect();
  }

  private warnDropOnce(): void {
    if (this.dropWarned) return;
    this.dropWarned = true;
    const fields = { peer: this.config.peer, queuedBytes: this.queuedBytes, maxQueuedBytes: this.config.maxQueuedBytes };
    this.config.logger.warn(fields, 'dropping frames: the peer queue is full');
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
