/**
 * One accepted connection: read-only, it carries a peer's frames to us.
 *
 * It first expects the hello (which names the sender's listen address) within the hello timeout,
 * then length-prefixed frames. Anything else on the port, such as garbage, another protocol, a
 * wrong version or an oversize length prefix, closes this one connection with a warning; the
 * listener and every other connection carry on. Network errors (ECONNRESET when a peer dies) are
 * expected and logged quietly. Exceptions thrown by the frame handler are not caught here: the
 * runtime catches and counts them, and answers 'close' so that this one connection is closed.
 */
import type { Socket } from 'node:net';
import type { PeerAddress } from '../core/ids.js';
import { FrameDecoder, FrameTooLargeError } from '../protocol/framing.js';
import { HelloReader } from './hello.js';
import type { TransportHandlers, TransportLogger, VerifiedSender } from './types.js';

export interface InboundConfig {
  readonly maxFrameBytes: number;
  readonly helloTimeoutMs: number;
  readonly handlers: TransportHandlers;
  readonly logger: TransportLogger;
  /** The node id the peer's certificate proved (TLS), null on a plain connection; handed on with every frame. */
  readonly sender?: VerifiedSender;
  /** This node's cluster id (null while it has none): a hello naming another one closes the connection. */
  readonly clusterId?: () => string | null;
  readonly onClusterRefused?: (theirs: string) => void;
  /** Called once when the socket has closed, for any reason. */
  readonly onGone: (connection: InboundConnection) => void;
}

export class InboundConnection {
  private from: PeerAddress | undefined;
  private readonly hello = new HelloReader();
  private readonly decoder: FrameDecoder;
  private helloTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly config: InboundConfig,
  ) {
    this.decoder = new FrameDecoder(config.maxFrameBytes);
    socket.setNoDelay(true);
    this.helloTimer = setTimeout(() => this.reject('no hello in time'), config.helloTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      config.logger.debug({ from: this.describe(), error: error.code ?? error.message }, 'inbound connection error');
    });
    socket.on('close', () => {
      this.closed = true;
      this.clearHelloTimer();
      config.onGone(this);
    });
  }

  close(): void {
    this.closed = true;
    this.clearHelloTimer();
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let frameBytes = chunk;
    if (this.from === undefined) {
      const result = this.hello.push(chunk);
      if (result.kind === 'incomplete') return;
      if (result.kind === 'invalid') return this.reject(result.reason);
      const mine = this.config.clusterId?.() ?? null;
      if (mine !== null && result.clusterId !== null && result.clusterId !== mine) {
        this.config.onClusterRefused?.(result.clusterId);
        return this.reject(`the peer belongs to cluster ${result.clusterId}, not ${mine}`);
      }
      this.from = result.from;
      this.clearHelloTimer();
      this.config.logger.debug({ from: this.from }, 'inbound connection from peer');
      frameBytes = result.rest;
      if (frameBytes.length === 0) return;
    }
    this.deliver(this.from, frameBytes);
  }

  private deliver(from: PeerAddress, chunk: Buffer): void {
    let frames: Uint8Array[];
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      if (!(error instanceof FrameTooLargeError)) throw error;
      this.dispatch(from, error.framesBefore);
      return this.reject(error.message);
    }
    this.dispatch(from, frames);
  }

  private dispatch(from: PeerAddress, frames: readonly Uint8Array[]): void {
    for (const frame of frames) {
      if (this.closed) return;
      if (this.config.handlers.frame(from, frame, this.config.sender) === 'close') return this.reject('the receiver could not handle a frame');
    }
  }

  private reject(reason: string): void {
    this.config.logger.warn({ from: this.describe(), reason }, 'closing inbound connection: protocol violation');
    this.close();
  }

  private describe(): string {
    return this.from ?? `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? '?'} (before hello)`;
  }

  private clearHelloTimer(): void {
    if (this.helloTimer === undefined) return;
    clearTimeout(this.helloTimer);
    this.helloTimer = undefined;
  }
}
