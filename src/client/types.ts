/** What the client's callers see: its options and the shapes of its answers (client.ts does the work). */
import type { Context } from './context.js';

export type Value = Uint8Array | string;

/** Merges concurrent versions into one value; the client writes it back with the read's context. */
export type Resolver = (siblings: readonly Buffer[], where: { readonly bucket: string; readonly key: string }) => Value;

export interface ClientOptions {
  /** HTTP URLs of one or more nodes (e.g. http://127.0.0.1:7101): the client learns the ring from them. */
  readonly nodes: readonly string[];
  /** Pipelined connections kept to each node (default 1: one connection coalesces best). */
  readonly connectionsPerNode?: number;
  /** Client-side deadline of one request, in ms (default 5000; nodes answer 503 after their own, 2000). */
  readonly requestTimeoutMs?: number;
  /**
   * How long one node may leave a request unanswered before the client sends it to another, in ms
   * (default 2500: a node that is up answers within its own request timeout, 2000 by default, even
   * if only to say the quorum failed). Keep it above the nodes' `--request-timeout-ms`.
   */
  readonly attemptTimeoutMs?: number;
  /** How often the ring is read again, in ms (default 5000); also read again when a node fails. */
  readonly ringRefreshMs?: number;
  /** Largest value the client sends (default 1 MiB, the nodes' default); larger ones fail locally with TooLargeError. */
  readonly maxValueBytes?: number;
  /** Default sibling resolver for every get; a get can pass its own or `false`. */
  readonly resolve?: Resolver;
  /**
   * Who coordinates a read (default 'client'): the client itself, asking R replicas for their
   * copies and handing the read to a node only when they disagree or one fails (two hops instead
   * of four; the paper's client-driven coordination), or always a node ('node').
   */
  readonly readCoordination?: 'client' | 'node';
  /**
   * How long a client-coordinated read waits for the replicas' copies before it hands the read to
   * a node (default 100 ms; the node's read then has the whole request timeout).
   */
  readonly replicaReadTimeoutMs?: number;
  /** A secure cluster: trust this CA (PEM of ca.crt) for HTTPS and the client port's TLS. */
  readonly tls?: { readonly ca: string | Buffer };
  /** A secure cluster: the user to authenticate as, on every connection. */
  readonly auth?: { readonly user: string; readonly password: string };
}

export interface ReadOptions {
  readonly r?: number;
  readonly strict?: boolean;
  readonly timeoutMs?: number;
  /** Merge siblings with this function and write the merge back (false: return the siblings as they are). */
  readonly resolve?: Resolver | false;
}

export interface WriteOptions {
  /** The context of the read this write follows (a Context, or an X-Dynamo-Context string). */
  readonly context?: Context | string;
  readonly w?: number;
  readonly strict?: boolean;
  readonly timeoutMs?: number;
  /** Puts only: the value expires this many ms after the coordinator takes it; 0 never (overrides the bucket's ttl_ms). */
  readonly ttlMs?: number;
}

/** Options of a counter or set update; `context` matters for a set remove (what the read saw). */
export type UpdateOptions = Omit<WriteOptions, 'ttlMs'>;

/** An applied counter update: the total as the coordinator holds it after the increment. */
export interface CounterUpdate {
  readonly value: number;
  readonly context: Context;
}

/** An applied set update: the elements as the coordinator holds them after it, and how many changed. */
export interface SetUpdate {
  readonly value: readonly string[];
  readonly added: number;
  readonly removed: number;
  readonly context: Context;
}

/** A counter or set read; `found` false (value 0 or []) when the key was never written. */
export interface CrdtRead<T> {
  readonly found: boolean;
  readonly value: T;
  readonly context: Context;
}

/** One page of a key listing; pass `cursor` back for the next, null after the last. */
export interface KeysPage {
  readonly keys: readonly string[];
  readonly cursor: string | null;
}

export interface Sibling {
  readonly value: Buffer;
  readonly timestampMs: number;
  /** When this version expires (ms since the epoch, the writing coordinator's clock); absent: never. */
  readonly expiresAtMs?: number;
}

export interface ReadResult {
  /** At least one live version exists. */
  readonly found: boolean;
  /** The value when there is exactly one live version (after resolve, the merge); otherwise undefined. */
  readonly value: Buffer | undefined;
  /** Every live concurrent version, oldest first (empty when absent or deleted). */
  readonly siblings: readonly Sibling[];
  /** Covers every version read: pass it to the write that follows. */
  readonly context: Context;
  /** The key was deleted (a tombstone was read). */
  readonly deleted: boolean;
  /** Siblings were merged by a resolver and the merge written back. */
  readonly resolved: boolean;
}
