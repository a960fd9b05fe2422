/**
 * Connections to each node's client port, a few per node, used round-robin with pipelining. A
 * node whose connection failed is avoided for a short while (`usable` says so), so requests do not
 * queue behind a dead node's connect attempts; after that it is tried again.
 */
import type { ClientSecurity } from '../protocol/client-auth-frame.js';
import { Connection } from './connection.js';

const UNREACHABLE_BACKOFF_MS = 1000;
const CONNECT_TIMEOUT_MS = 2000;
/** Largest answer accepted: many siblings of large values. */
const MAX_RESPONSE_FRAME_BYTES = 512 * 1024 * 1024;

class NodePool {
  private readonly connections: Connection[] = [];
  private next = 0;

  constructor(
    readonly address: string,
    private readonly size: number,
    private readonly security: ClientSecurity,
  ) {}

  connection(): Connection {
    const at = this.next++ % this.size;
    let connection = this.connections[at];
    if (connection === undefined || connection.isGone) {
      connection = this.open();
      this.connections[at] = connection;
    }
    return connection;
  }

  close(): void {
    for (const c of this.connections) c.close();
    this.connections.length = 0;
  }

  private open(): Connection {
    const split = this.address.lastIndexOf(':');
    return new Connection({
      host: this.address.slice(0, split),
      port: Number(this.address.slice(split + 1)),
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      maxFrameBytes: MAX_RESPONSE_FRAME_BYTES,
      ...this.security,
      onGone: () => undefined,
    });
  }
}

export class NodePools {
  private readonly pools = new Map<string, NodePool>();
  private readonly unreachableUntil = new Map<string, number>();

  constructor(
    private readonly connectionsPerNode: number,
    private readonly security: ClientSecurity = {},
  ) {}

  /** Whether a node may be tried now (not recently unreachable). */
  readonly usable = (node: string): boolean => {
    if (this.unreachableUntil.size === 0) return true;
    const until = this.unreachableUntil.get(node);
    if (until === undefined) return true;
    if (until > Date.now()) return false;
    this.unreachableUntil.delete(node);
    return true;
  };

  connection(node: string, clientAddress: string): Connection {
    let pool = this.pools.get(node);
    if (pool === undefined || pool.address !== clientAddress) {
      pool?.close();
      pool = new NodePool(clientAddress, Math.max(1, this.connectionsPerNode), this.security);
      this.pools.set(node, pool);
    }
    return pool.connection();
  }

  markUnreachable(node: string): void {
    this.unreachableUntil.set(node, Date.now() + UNREACHABLE_BACKOFF_MS);
  }

  close(): void {
    for (const pool of this.pools.values()) pool.close();
    this.pools.clear();
  }
}
