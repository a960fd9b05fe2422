/**
 * The contract between a node and the network beneath it, kept apart from the implementations so
 * that the runtime, the TCP transport, the in-memory network and the compliance suite all depend on
 * this one small file and never on each other.
 *
 * Model: a transport moves opaque, already-encoded frames to a peer's listen address. Each node
 * dials every peer it sends to (one outbound connection per peer, used only for sending) and only
 * reads its inbound connections, so "connected to X" always means "my frames can reach X". Frames
 * to one peer keep their order while a connection lives; delivery is best effort, because the node
 * above has its own timeouts and retries. What the node does need promptly is connectivity news
 * (`peerUp` / `peerDown`) so that it can route around a dead peer instead of waiting for timeouts.
 */
import type { PeerAddress, VerifiedSender } from '../core/ids.js';

export type { PeerAddress };

export interface TransportHandlers {
  /**
   * One decoded frame from a peer; `from` is the sender's declared listen address. The payload may
   * be a view into a larger receive buffer: decode it now, or copy it to keep it. Answering
   * 'close' asks the transport to close the connection the frame came on (the receiver could not
   * handle what that peer sends); anything else keeps it open.
   */
  frame(from: PeerAddress, payload: Uint8Array, sender?: VerifiedSender): FrameVerdict | void;
  /** An outbound connection to `peer` became established (the first time, or again after a peerDown). */
  peerUp(peer: PeerAddress): void;
  /**
   * The outbound connection to `peer` failed or closed. Fired once per up→down transition, and once
   * when the very first attempt fails; repeated failed reconnects stay silent.
   */
  peerDown(peer: PeerAddress, reason: string): void;
}

export type FrameVerdict = 'close';

/** `dropped`: the peer's queue is over its byte limit (back-pressure), or the transport is closed. */
export type SendResult = 'queued' | 'dropped';

export interface Transport {
  /** host:port this transport listens on (with port 0, the bound port once `listen` resolved). */
  readonly localAddress: PeerAddress;
  listen(): Promise<void>;
  /**
   * Queues one frame for `to`, connecting lazily. Never throws for network reasons. The transport
   * may hold on to `payload` until it is written: do not modify it after sending.
   */
  send(to: PeerAddress, payload: Uint8Array): SendResult;
  isConnected(to: PeerAddress): boolean;
  /** Bytes accepted for `to` and not yet handed to the operating system (the back-pressure measure). */
  queuedBytes(to: PeerAddress): number;
  /**
   * Hands everything queued to the operating system now, rather than at the end of the event-loop
   * turn (for a driver that knows its turn's sending is done). Optional: not every transport queues.
   */
  flush?(): void;
  /** Stops listening, ends all connections, cancels reconnect timers. Idempotent. */
  close(): Promise<void>;
}

export interface TransportLogger {
  debug(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
}

/** When frames leave for the socket: at the end of the event-loop turn (coalesced), or one write per frame. */
export type FlushPolicy = 'turn' | 'frame';

export interface TcpTransportOptions {
  readonly host: string;
  readonly port: number;
  readonly handlers: TransportHandlers;
  readonly logger?: TransportLogger;
  /** Default 64 MiB; a bigger length prefix closes that connection (garbage on the port). */
  readonly maxFrameBytes?: number;
  /** Default 64 MiB; beyond it `send` returns 'dropped'. */
  readonly maxQueuedBytesPerPeer?: number;
  /** Exponential backoff with jitter between reconnect attempts; defaults 50 / 2000. */
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
  /** Default 2000; also how long an inbound connection may take to say hello. */
  readonly connectTimeoutMs?: number;
  /** Default 'turn'. 'frame' exists only to measure what coalescing buys (see bench.ts). */
  readonly flushPolicy?: FlushPolicy;
  /**
   * The id of the cluster this node belongs to (null until it knows one), sent in every hello; an
   * inbound connection whose hello names another cluster is refused (onClusterRefused).
   */
  readonly clusterId?: () => string | null;
  readonly onClusterRefused?: (theirs: string) => void;
  /** Mutual TLS on the peer port (tls.ts); plain TCP when absent. */
  readonly tls?: PeerTlsOptions;
}

/**
 * Who sent a frame, as far as the transport can prove it: the node id of the peer's verified
 * certificate; null on a plain connection (no TLS, or a plain peer in transitional mode);
 * undefined from transports that know nothing of identities.
 */
export type { VerifiedSender } from '../core/ids.js';

export interface PeerTlsOptions {
  /** PEM of the cluster CA, this node's certificate and its key. */
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  /** strict: TLS only. transitional: accept plain and TLS peers, dial TLS and fall back to plain. */
  readonly mode: 'strict' | 'transitional';
  /** A connection refused for security (plaintext on a TLS port, a bad certificate); for a metric. */
  readonly onRefused?: (reason: string) => void;
}

/** Limits the in-memory network honours, so the compliance suite can exercise back-pressure on it too. */
export interface MemoryTransportOptions {
  readonly maxQueuedBytesPerPeer?: number;
  /** The node id this transport's frames are proven to come from (what a TLS certificate would name). */
  readonly identity?: string;
}

export interface MemoryNetwork {
  transport(address: PeerAddress, handlers: TransportHandlers, options?: MemoryTransportOptions): Transport;
  /** Splits a and b in both directions: their connections go down and stay down until `heal`. */
  cut(a: PeerAddress, b: PeerAddress): void;
  /** Removes every cut; links that were down try again at once. */
  heal(): void;
}

export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_QUEUED_BYTES_PER_PEER = 64 * 1024 * 1024;

export const silentLogger: TransportLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
};
