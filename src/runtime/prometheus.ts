/**
 * Prometheus metrics of one node: request counts and latency histograms per operation and outcome
 * (request-metrics.ts), plus the node's own counters and gauges, read at scrape time.
 */
import { Gauge, Registry } from 'prom-client';
import { RequestMetrics, type RequestSnapshot } from './request-metrics.js';
import type { DynamoNode } from '../node/node.js';
import type { NodeMetrics } from '../node/metrics.js';

const COUNTER_HELP: Record<keyof NodeMetrics, string> = {
  readRepairs: 'replicas repaired by reads',
  replicaReads: 'reads answered for another coordinator',
  hintsStored: 'hinted writes stored on this node for another',
  hintsDelivered: 'hints delivered to their owner and deleted',
  hintsExpired: 'hints dropped undelivered, older than half the tombstone grace',
  tombstonesReaped: 'tombstones and expired keys removed after their grace period',
  setElementRefusals: 'set updates refused because the set would pass its element cap',
  expiredDropped: 'copies of keys expired past the grace let go of (not pushed, or not stored on arrival) because a peer had already dropped them',
  siblingWarnings: 'writes that left a key with more siblings than the warning threshold',
  siblingRefusals: 'writes refused because the key had too many siblings',
  forwarded: 'client writes forwarded to a replica to coordinate',
  quorumFailures: 'client requests that did not reach their quorum',
  corruptValues: 'undecodable values found in storage',
  badMessages: 'malformed peer messages rejected',
  handlerErrors: 'inputs whose handling threw (a bug; the node kept serving)',
  hintsRefused: 'hinted writes refused (target not a member, or the hint store full)',
  reapsDropped: 'tombstones not scheduled for reaping because the reap queue was full',
  operationsRefused: 'client requests refused because too many operations were in flight',
  sendsDropped: 'frames the transport dropped because the queue to a peer was full',
  forgedSenders: 'peer frames dropped because their sender was not the node its certificate names',
  peerConnectionsRefused: 'peer connections refused by TLS (plaintext, or a certificate of another CA)',
  authFailures: 'client requests refused for missing or wrong credentials or a rate-limited source',
  authForbidden: 'client requests refused because the user role or bucket list forbids them',
};

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export class NodeMetricsExporter {
  readonly registry = new Registry();
  private readonly requests = new RequestMetrics();

  constructor(node: DynamoNode) {
    for (const name of Object.keys(COUNTER_HELP) as (keyof NodeMetrics)[]) {
      new Gauge({
        name: `dynamo_${snake(name)}_total`,
        help: COUNTER_HELP[name],
        registers: [this.registry],
        collect() {
          this.set(node.metrics[name]);
        },
      });
    }
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({ name, help, registers: [this.registry], collect() { this.set(read()); } });
    };
    gauge('dynamo_hints_pending', 'hints held on this node awaiting delivery', () => node.store.hintCount);
    gauge('dynamo_operations_in_flight', 'coordinator operations in flight', () => node.pendingOperations());
    gauge('dynamo_tombstone_reaps_pending', 'tombstones scheduled for reaping', () => node.pendingReaps());
    gauge('dynamo_members_up', 'members this node sees up', () => node.cluster()?.members.filter((m) => m.up).length ?? 0);
    const sync = node.sync.stats;
    gauge('dynamo_transfers_pending', 'partitions waiting to be transferred in or out', () => sync.pendingOut + sync.pendingIn);
    gauge('dynamo_transfers_in_progress', 'exchanges (transfers and anti-entropy) running', () => sync.inProgress);
    gauge('dynamo_transfers_done_total', 'partitions handed over and dropped here', () => sync.done);
    gauge('dynamo_anti_entropy_rounds_total', 'anti-entropy exchanges completed', () => sync.antiEntropyRounds);
    gauge('dynamo_anti_entropy_keys_repaired_total', 'sibling sets sent or received by exchanges', () => sync.keysRepaired);
    gauge('dynamo_anti_entropy_bytes_total', 'bytes of hashes, digests and sets exchanged', () => sync.bytesExchanged);
    gauge('dynamo_heap_used_bytes', 'V8 heap in use', () => process.memoryUsage().heapUsed);
    gauge('dynamo_rss_bytes', 'resident set size of the node process', () => process.memoryUsage.rss());
  }

  /** Records one client request (count and latency). */
  observe(op: string, outcome: string, seconds: number): void {
    this.requests.observe(op, outcome, seconds);
  }

  /** Cumulative counts per operation (the dashboard's charts difference two of them). */
  requestSnapshot(): RequestSnapshot {
    return this.requests.snapshot();
  }

  /** Everything, in the Prometheus text format. */
  async text(): Promise<string> {
    return (await this.registry.metrics()) + this.requests.exposition();
  }
}
