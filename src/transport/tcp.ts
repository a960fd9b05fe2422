/**
 * The real transport: one TCP listener for inbound frames, one outbound link per peer we send to.
 *
 * Coalescing lives here: a link with new frames marks itself dirty, and one `setImmediate` per
 * event-loop turn flushes every dirty link, so all frames for one peer produced in one turn (the
 * node's whole batch of effects) leave in one socket write. That is the single biggest saving
 * measured in PERF-NOTES (95k → 164k round trips/s). `setImmediate` runs after the poll phase, so
 * frames sent from every I/O callback of the turn are collected before the flush.
 *
 * `close` flushes what is pending, stops the listener, drops inbound connections, ends the
 * outbound ones and clears every timer, so a process (or a test) can exit once it resolves.
 */
import { PEER_CONNECTIONS_MAX } from '../core/limits.js';

import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { createServer, isIP, type Server, type Socket } from 'node:net';
import type { PeerAddress } from '../core/ids.js';
import { assert } from '../core/assert.js';
import { formatPeerAddress, parsePeerAddress } from '../core/address.js';
import { InboundConnection } from './inbound-connection.js';
import { OutboundLink } from './outbound-link.js';
import { peerIdOf, serverTlsOptions, sniff } from './tls.js';
import {
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_QUEUED_BYTES_PER_PEER,
  silentLogger,
  type SendResult,
  type TcpTransportOptions,
  type Transport,
  type TransportLogger,
  type VerifiedSender,
} from './types.js';

const DEFAULT_RECONNECT_MIN_MS = 50;
const DEFAULT_RECONNECT_MAX_MS = 2_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 2_000;

interface ResolvedOptions extends Required<Omit<TcpTransportOptions, 'logger' | 'tls' | 'onClusterRefused'>> {
  readonly logger: TransportLogger;
  readonly tls: TcpTransportOptions['tls'];
  readonly onClusterRefused: TcpTransportOptions['onClusterRefused'];
}

function resolveOptions(options: TcpTransportOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    ...options,
    logger: options.logger ?? silentLogger,
    maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    maxQueuedBytesPerPeer: options.maxQueuedBytesPerPeer ?? DEFAULT_MAX_QUEUED_BYTES_PER_PEER,
    reconnectMinMs: options.reconnectMinMs ?? DEFAULT_RECONNECT_MIN_MS,
    reconnectMaxMs: options.reconnectMaxMs ?? DEFAULT_RECONNECT_MAX_MS,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    flushPolicy: options.flushPolicy ?? 'turn',
    tls: options.tls,
    clusterId: options.clusterId ?? (() => null),
    onClusterRefused: options.onClusterRefused,
  };
  assert(Number.isInteger(resolved.port) && resolved.port >= 0 && resolved.port <= 65535, 'port must be 0..65535');
  assert(resolved.maxFrameBytes > 0 && resolved.maxFrameBytes <= 0xffff_ffff, 'maxFrameBytes must be 1..2^32-1');
  assert(resolved.maxQueuedBytesPerPeer > 0, 'maxQueuedBytesPerPeer must be positive');
  assert(resolved.reconnectMinMs > 0 && resolved.reconnectMaxMs >= resolved.reconnectMinMs, 'need 0 < reconnectMinMs <= reconnectMaxMs');
  assert(resolved.connectTimeoutMs > 0, 'connectTimeoutMs must be positive');
  return resolved;
}

export function createTcpTransport(options: TcpTransportOptions): Transport {
  return new TcpTransport(resolveOptions(options));
}

class TcpTransport implements Transport {
  private readonly server: Server;
  private readonly links = new Map<PeerAddress, OutboundLink>();
  private readonly inbound = new Set<InboundConnection>();
  private dirty = new Set<OutboundLink>();
  private readonly badAddressesWarned = new Set<PeerAddress>();
  private flushImmediate: NodeJS.Immediate | undefined;
  private boundPort: number;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: ResolvedOptions) {
    this.boundPort = options.port;
    this.server = this.createListener();
    // A stranger opening connections must not exhaust file descriptors: past the limit new ones are
    // refused at once (Node closes them) and each refusal is logged.
    this.server.maxConnections = PEER_CONNECTIONS_MAX;
    this.server.on('drop', (data) => this.options.logger.warn({ from: `${data?.remoteAddress ?? '?'}:${data?.remotePort ?? '?'}`, limit: PEER_CONNECTIONS_MAX }, 'refused a peer connection: too many open'));
  }

  /** Plain TCP; strict TLS through node:tls; transitional: plain TCP whose TLS connections are told apart by their first byte. */
  private createListener(): Server {
    const tls = this.options.tls;
    if (tls === undefined) return createServer({ noDelay: true }, (socket) => this.accept(socket, null));
    const tlsServer = createTlsServer({ ...serverTlsOptions(tls), noDelay: true, handshakeTimeout: this.options.connectTimeoutMs }, (socket) => this.acceptTls(socket));
    tlsServer.on('tlsClientError', (error: NodeJS.ErrnoException) => this.refuse(error.code ?? error.message));
    if (tls.mode === 'strict') return tlsServer;
    return createServer({ noDelay: true }, (socket) => {
      socket.on('error', () => undefined);
      sniff(socket, (plain) => this.accept(plain, null), (stream) => tlsServer.emit('connection', stream));
    });
  }

  private acceptTls(socket: TLSSocket): void {
    const id = peerIdOf(socket);
    if (id === undefined) {
      this.refuse(`peer certificate refused: ${String(socket.authorizationError ?? 'no common name')}`);
      socket.destroy();
      return;
    }
    this.accept(socket, id);
  }

  private refuse(reason: string): void {
    this.options.logger.warn({ reason }, 'refused a peer connection: TLS handshake or certificate failed');
    this.options.tls?.onRefused?.(reason);
  }

  get localAddress(): PeerAddress {
    return formatPeerAddress(this.options.host, this.boundPort);
  }

  listen(): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(new Error('transport is closed'));
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen({ host: this.options.host, port: this.options.port }, () => {
        this.server.off('error', onError);
        this.server.on('error', (error) => this.options.logger.warn({ error: error.message }, 'peer listener error'));
        const address = this.server.address();
        assert(address !== null && typeof address === 'object', 'a TCP listener has an address');
        this.boundPort = address.port;
        this.options.logger.info({ address: this.localAddress }, 'peer transport listening');
        resolve();
      });
    });
  }

  send(to: PeerAddress, payload: Uint8Array): SendResult {
    if (this.closing !== undefined) return 'dropped';
    if (payload.byteLength > this.options.maxFrameBytes) {
      // The peer would take the length prefix for garbage and drop the whole connection.
      this.options.logger.warn({ peer: to, payloadBytes: payload.byteLength, maxFrameBytes: this.options.maxFrameBytes }, 'dropping an oversize frame');
      return 'dropped';
    }
    const link = this.links.get(to) ?? this.openLink(to);
    return link === undefined ? 'dropped' : link.send(payload);
  }

  isConnected(to: PeerAddress): boolean {
    return this.links.get(to)?.connected ?? false;
  }

  queuedBytes(to: PeerAddress): number {
    return this.links.get(to)?.queuedBytes ?? 0;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.flushDirty();
    const serverClosed = new Promise<void>((resolve) => {
      if (this.server.listening) this.server.close(() => resolve());
      else resolve();
    });
    for (const connection of this.inbound) connection.close();
    await Promise.all([...this.links.values()].map((link) => link.close()));
    await serverClosed;
    this.options.logger.info({ address: this.localAddress }, 'peer transport closed');
  }

  private openLink(peer: PeerAddress): OutboundLink | undefined {
    const target = parsePeerAddress(peer);
    if (target === undefined) {
      if (!this.badAddressesWarned.has(peer)) this.options.logger.warn({ peer }, 'dropping frames to a malformed peer address');
      this.badAddressesWarned.add(peer);
      return undefined;
    }
    const { options } = this;
    const link = new OutboundLink({
      peer,
      target,
      localAddress: () => this.localAddress,
      bindAddress: outgoingBindAddress(options.host),
      handlers: options.handlers,
      logger: options.logger,
      maxQueuedBytes: options.maxQueuedBytesPerPeer,
      backoff: { minMs: options.reconnectMinMs, maxMs: options.reconnectMaxMs },
      connectTimeoutMs: options.connectTimeoutMs,
      flushPolicy: options.flushPolicy,
      tls: options.tls,
      clusterId: options.clusterId,
      requestFlush: (dirtyLink) => this.requestFlush(dirtyLink),
    });
    this.links.set(peer, link);
    return link;
  }

  private requestFlush(link: OutboundLink): void {
    this.dirty.add(link);
    this.flushImmediate ??= setImmediate(() => this.flushDirty());
  }

  flush(): void {
    this.flushDirty();
  }

  private flushDirty(): void {
    if (this.flushImmediate !== undefined) clearImmediate(this.flushImmediate);
    this.flushImmediate = undefined;
    if (this.dirty.size === 0) return;
    // A fresh set rather than Set#clear, which leaves the old table linked to the new one (see LocalStore.endStep).
    const dirty = this.dirty;
    this.dirty = new Set();
    for (const link of dirty) link.flush();
  }

  private accept(socket: Socket, sender: VerifiedSender): void {
    if (this.closing !== undefined) {
      socket.destroy();
      return;
    }
    const connection = new InboundConnection(socket, {
      maxFrameBytes: this.options.maxFrameBytes,
      helloTimeoutMs: this.options.connectTimeoutMs,
      handlers: this.options.handlers,
      logger: this.options.logger,
      sender,
      clusterId: this.options.clusterId,
      onClusterRefused: (theirs) => this.options.onClusterRefused?.(theirs),
      onGone: (gone) => this.inbound.delete(gone),
    });
    this.inbound.add(connection);
  }
}

/** The address outgoing peer connections bind to: --host when it is one IP address of this machine, not a wildcard or a name. */
export function outgoingBindAddress(host: string): string | undefined {
  const ip = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(ip) === 0 || ip === '0.0.0.0' || ip === '::') return undefined;
  return ip;
}
