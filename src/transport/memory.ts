/**
 * An in-process network for unit tests of the layers above, held to the same compliance suite as
 * TCP so that code tested against it behaves the same over sockets.
 *
 * It keeps the TCP transport's observable model without sockets or timers: a link per (sender,
 * receiver) that is connecting, up or down; frames that queue while it is not up (bounded, then
 * 'dropped') and flow in order once it is; delivery and connectivity news that are always
 * asynchronous (one `setImmediate` per turn, like the real flush); frames in flight lost when a
 * link goes down; payloads copied, as a socket would. Instead of reconnect timers, a down link
 * retries when something starts listening at its peer's address or when the network heals, which
 * is when a timer-driven retry would first succeed. `cut(a, b)` splits two nodes both ways.
 */
import type { PeerAddress } from '../core/ids.js';
import { DEFAULT_MAX_QUEUED_BYTES_PER_PEER } from './types.js';
import type { MemoryNetwork, MemoryTransportOptions, SendResult, Transport, TransportHandlers } from './types.js';

type Task = () => void;

/** Runs queued tasks in FIFO order, one batch per event-loop turn. */
class TurnScheduler {
  private tasks: Task[] = [];
  private immediate: NodeJS.Immediate | undefined;

  push(task: Task): void {
    this.tasks.push(task);
    this.immediate ??= setImmediate(() => this.run());
  }

  private run(): void {
    this.immediate = undefined;
    const batch = this.tasks;
    this.tasks = [];
    for (const task of batch) task();
  }
}

interface MemoryLink {
  readonly owner: MemoryTransport;
  readonly peer: PeerAddress;
  state: 'connecting' | 'up' | 'down' | 'closed';
  target: MemoryTransport | undefined;
  /** Bumped whenever the link goes down, so frames in flight on the old "connection" are lost. */
  epoch: number;
  queue: Buffer[];
  queueBytes: number;
  inflightBytes: number;
  announced: 'nothing' | 'up' | 'down';
}

class Network {
  readonly scheduler = new TurnScheduler();
  readonly listening = new Map<PeerAddress, MemoryTransport>();
  readonly links = new Set<MemoryLink>();
  private readonly cuts = new Set<string>();

  isCut(a: PeerAddress, b: PeerAddress): boolean {
    return this.cuts.has(cutKey(a, b));
  }

  cut(a: PeerAddress, b: PeerAddress): void {
    this.cuts.add(cutKey(a, b));
    for (const link of this.links) {
      const between = (link.owner.localAddress === a && link.peer === b) || (link.owner.localAddress === b && link.peer === a);
      if (between) link.owner.linkDown(link, 'cut');
    }
  }

  heal(): void {
    this.cuts.clear();
    for (const link of this.links) if (link.state === 'down') this.scheduler.push(() => link.owner.attempt(link));
  }

  startedListening(address: PeerAddress): void {
    for (const link of this.links) {
      if (link.peer === address && link.state === 'down') this.scheduler.push(() => link.owner.attempt(link));
    }
  }

  stoppedListening(transport: MemoryTransport): void {
    for (const link of this.links) if (link.target === transport) link.owner.linkDown(link, 'connection closed');
  }
}

function cutKey(a: PeerAddress, b: PeerAddress): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

class MemoryTransport implements Transport {
  private readonly links = new Map<PeerAddress, MemoryLink>();
  private readonly maxQueuedBytes: number;
  private readonly identity: string | undefined;
  private isListening = false;
  closed = false;

  constructor(
    private readonly network: Network,
    readonly localAddress: PeerAddress,
    readonly handlers: TransportHandlers,
    options: MemoryTransportOptions,
  ) {
    this.maxQueuedBytes = options.maxQueuedBytesPerPeer ?? DEFAULT_MAX_QUEUED_BYTES_PER_PEER;
    this.identity = options.identity;
  }

  listen(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('transport is closed'));
    const holder = this.network.listening.get(this.localAddress);
    if (holder !== undefined && holder !== this) return Promise.reject(new Error(`EADDRINUSE ${this.localAddress}`));
    this.isListening = true;
    this.network.listening.set(this.localAddress, this);
    this.network.startedListening(this.localAddress);
    return Promise.resolve();
  }

  send(to: PeerAddress, payload: Uint8Array): SendResult {
    if (this.closed) return 'dropped';
    const link = this.links.get(to) ?? this.openLink(to);
    if (queuedBytesOf(link) + payload.byteLength > this.maxQueuedBytes) return 'dropped';
    const copy = Buffer.from(payload);
    if (link.state === 'up') this.transmit(link, copy);
    else {
      link.queue.push(copy);
      link.queueBytes += copy.length;
    }
    return 'queued';
  }

  isConnected(to: PeerAddress): boolean {
    return this.links.get(to)?.state === 'up';
  }

  queuedBytes(to: PeerAddress): number {
    const link = this.links.get(to);
    return link === undefined ? 0 : queuedBytesOf(link);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    if (this.isListening && this.network.listening.get(this.localAddress) === this) {
      this.network.listening.delete(this.localAddress);
    }
    for (const link of this.links.values()) {
      link.state = 'closed';
      link.epoch += 1;
      link.queue = [];
      link.queueBytes = 0;
      this.network.links.delete(link);
    }
    this.network.stoppedListening(this);
    return Promise.resolve();
  }

  /** One connection attempt: up if the peer listens and no cut separates us, else down. */
  attempt(link: MemoryLink): void {
    if (link.state !== 'connecting' && link.state !== 'down') return;
    const target = this.network.listening.get(link.peer);
    if (target === undefined || target.closed || this.network.isCut(this.localAddress, link.peer)) {
      link.state = 'down';
      this.announce(link, 'down', target === undefined ? 'ECONNREFUSED' : 'cut');
      return;
    }
    link.state = 'up';
    link.target = target;
    const queued = link.queue;
    link.queue = [];
    link.queueBytes = 0;
    for (const payload of queued) this.transmit(link, payload);
    this.announce(link, 'up', 'connected');
  }

  linkDown(link: MemoryLink, reason: string): void {
    if (link.state !== 'up') return;
    link.state = 'down';
    link.target = undefined;
    link.epoch += 1;
    this.announce(link, 'down', reason);
  }

  private openLink(peer: PeerAddress): MemoryLink {
    const link: MemoryLink = {
      owner: this,
      peer,
      state: 'connecting',
      target: undefined,
      epoch: 0,
      queue: [],
      queueBytes: 0,
      inflightBytes: 0,
      announced: 'nothing',
    };
    this.links.set(peer, link);
    this.network.links.add(link);
    this.network.scheduler.push(() => this.attempt(link));
    return link;
  }

  private transmit(link: MemoryLink, payload: Buffer): void {
    const { epoch, target } = link;
    link.inflightBytes += payload.length;
    this.network.scheduler.push(() => {
      link.inflightBytes -= payload.length;
      if (link.epoch !== epoch || target === undefined || target.closed) return;
      target.handlers.frame(this.localAddress, payload, this.identity);
    });
  }

  /** Connectivity news, deduplicated now and delivered on the next turn, never from inside a call. */
  private announce(link: MemoryLink, news: 'up' | 'down', reason: string): void {
    if (link.announced === news) return;
    link.announced = news;
    this.network.scheduler.push(() => {
      if (this.closed) return;
      if (news === 'up') this.handlers.peerUp(link.peer);
      else this.handlers.peerDown(link.peer, reason);
    });
  }
}

function queuedBytesOf(link: MemoryLink): number {
  return link.queueBytes + link.inflightBytes;
}

export function createMemoryNetwork(): MemoryNetwork {
  const network = new Network();
  return {
    transport: (address, handlers, options = {}) => new MemoryTransport(network, address, handlers, options),
    cut: (a, b) => network.cut(a, b),
    heal: () => network.heal(),
  };
}
