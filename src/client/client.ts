/**
 * The partition-aware TypeScript client. It learns the ring from any node over HTTP (GET /ring),
 * keeps it fresh, and sends each request over the binary protocol to a replica of the key, which
 * coordinates it without a forwarding hop. Reads it coordinates itself by default, asking R
 * replicas for their copies (replica-read.ts), and hands a read to a node only when the copies
 * disagree or a replica fails. A write that follows a read goes to the replica that answered that
 * read first (carried in the read's Context), as in the paper. A node that cannot be reached is
 * avoided for a while and the request goes to the next candidate, so a dead node costs one failed
 * connection, not a failed request.
 *
 * A request that was in flight when its connection broke, or that a node left unanswered past
 * `attemptTimeoutMs` (a node that hangs keeps its connections open), is sent again to another
 * node within the request's deadline. For a write this can apply it twice; versioning keeps both
 * as siblings at worst, never loses either.
 */
import type { BucketProps } from '../core/buckets/index.js';
import type { ClientRequest, ClientResponse, GetResult } from '../protocol/requests.js';
import { Context } from './context.js';
import { BadRequestError, ConnectionError, DynamoError, errorFromResponse, TimeoutError, TooLargeError } from './errors.js';
import { NodePools } from './pools.js';
import { readFromReplicas, type AskReplica, type ReplicaReadPlan } from './replica-read.js';
import { RingTracker } from './ring-tracker.js';
import { contextOf, readResult, toBuffer, unexpected, withoutCoordinator } from './results.js';
import type { ClientOptions, CounterUpdate, CrdtRead, KeysPage, ReadOptions, ReadResult, Resolver, SetUpdate, UpdateOptions, Value, WriteOptions } from './types.js';

export type { ClientOptions, CounterUpdate, CrdtRead, KeysPage, ReadOptions, ReadResult, Resolver, SetUpdate, Sibling, UpdateOptions, Value, WriteOptions } from './types.js';
import type { Routing } from './routing.js';

const MAX_ATTEMPTS = 3;
const MAX_KNOWN_BUCKETS = 10_000;

type OkResponse = Exclude<ClientResponse, { ok: false }>;
/** A put or delete request being filled in by `write`. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type WriteRequest =
  | Mutable<Extract<ClientRequest, { op: 'put' }>>
  | Mutable<Extract<ClientRequest, { op: 'delete' }>>
  | Mutable<Extract<ClientRequest, { op: 'update' }>>;

/** One request's tries: where it may go and what went wrong so far. */
interface Attempts {
  readonly routing: Routing;
  readonly bucket: string | null;
  readonly key: string | null;
  readonly n: number;
  /** When the whole request times out (Date.now() ms). */
  readonly deadlineMs: number;
  tried: Set<string> | null;
  lastError: DynamoError | undefined;
}

export class Client {
  private readonly tracker: RingTracker;
  private readonly pools: NodePools;
  private readonly timeoutMs: number;
  private readonly attemptTimeoutMs: number;
  private readonly maxValueBytes: number;
  private readonly ringRefreshMs: number;
  private readonly replicaReadTimeoutMs: number;
  private readonly coordinateReads: boolean;
  private closed = false;
  /** Each bucket's properties (its primaries are the first n of a preference list), learned lazily. */
  private readonly bucketProps = new Map<string, { readonly props: BucketProps; readonly learnedAtMs: number }>();
  private readonly bucketLookups = new Set<string>();

  constructor(private readonly options: ClientOptions) {
    if (options.nodes.length === 0) throw new BadRequestError('the client needs at least one node URL');
    this.timeoutMs = options.requestTimeoutMs ?? 5000;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 2500;
    this.maxValueBytes = options.maxValueBytes ?? 1024 * 1024;
    this.ringRefreshMs = options.ringRefreshMs ?? 5000;
    this.replicaReadTimeoutMs = options.replicaReadTimeoutMs ?? 100;
    this.coordinateReads = (options.readCoordination ?? 'client') === 'client';
    const security = { ...(options.tls === undefined ? {} : { tls: options.tls }), ...(options.auth === undefined ? {} : { auth: options.auth }) };
    this.tracker = new RingTracker(options.nodes, this.ringRefreshMs, security);
    this.pools = new NodePools(options.connectionsPerNode ?? 1, security);
  }

  /** A client whose ring is already loaded (fails with ConnectionError when no node answers). */
  static async connect(options: ClientOptions): Promise<Client> {
    const client = new Client(options);
    await client.ready();
    return client;
  }

  /** Resolves once the ring is known. */
  async ready(): Promise<void> {
    await this.tracker.routing();
  }

  /** Reads the ring again now. */
  async refreshRing(): Promise<void> {
    await this.tracker.refresh();
  }

  get(bucket: string, key: string, options: ReadOptions = {}): Promise<ReadResult> {
    const resolver = options.resolve === undefined ? this.options.resolve : options.resolve || undefined;
    return this.read(bucket, key, options).then((response) => {
      const result = readResult(response);
      if (resolver === undefined || result.siblings.length < 2) return result;
      return this.writeMerge(bucket, key, result, resolver, options.timeoutMs);
    });
  }

  /** Coordinates the read here when it can (replica-read.ts), else has a node coordinate it. */
  private read(bucket: string, key: string, options: ReadOptions): Promise<GetResult> {
    const viaNode = (coordinator?: string): Promise<GetResult> => {
      const request: { op: 'get'; bucket: string; key: string; r?: number; strict?: boolean } = { op: 'get', bucket, key };
      if (options.r !== undefined) request.r = options.r;
      if (options.strict !== undefined) request.strict = options.strict;
      return this.call(request, bucket, key, coordinator, options.timeoutMs).then((response) => {
        if (response.op !== 'get') throw unexpected(response);
        return response;
      });
    };
    const routing = this.coordinateReads && !this.closed ? this.tracker.current : null;
    if (routing === null) return viaNode();
    const plan = this.replicaReadPlan(routing, bucket, key, options.r);
    if (plan === null) return viaNode();
    return readFromReplicas(plan, this.askReplica(routing, bucket, key, options.timeoutMs)).then((outcome) =>
      'agreed' in outcome ? outcome.agreed : viaNode(outcome.coordinator),
    );
  }

  /** Whom a client-coordinated read asks, or null when the bucket's properties or enough usable primaries are not known. */
  private replicaReadPlan(routing: Routing, bucket: string, key: string, r: number | undefined): ReplicaReadPlan | null {
    const props = this.knownProps(bucket);
    if (props === undefined) return null;
    const needed = r ?? props.r;
    // An r the node would refuse goes to the node, which says why.
    if (!Number.isInteger(needed) || needed < 1 || needed > props.n) return null;
    const { nodes, all } = routing.usablePrimaries(bucket, key, props.n, this.pools.usable);
    if (nodes.length < needed) return null;
    // With n below the ring's N, "not found" on every primary is not the answer yet: a node's read
    // asks further nodes then (node/get.ts, lastResort), so such a miss goes to a node.
    return { primaries: nodes, needed, n: props.n, explicitR: r !== undefined, allPrimaries: all && props.n >= routing.replicas };
  }

  private askReplica(routing: Routing, bucket: string, key: string, timeoutMs: number | undefined): AskReplica {
    const request: ClientRequest = { op: 'replicaRead', bucket, key };
    const deadline = Math.min(this.replicaReadTimeoutMs, timeoutMs ?? this.timeoutMs);
    return (node) =>
      this.pools
        .connection(node, routing.clientAddressOf(node)!)
        .send(request, deadline)
        .then(undefined, (err: unknown) => {
          if (err instanceof ConnectionError) this.unreachable(node);
          throw err;
        });
  }

  /** Avoids `node` for a while and reads the ring again soon: it may be down or gone. */
  private unreachable(node: string): void {
    this.pools.markUnreachable(node);
    this.tracker.refreshSoon();
  }

  /** Merges a read's siblings with `resolver` and writes the merge back with the read's context. */
  private async writeMerge(bucket: string, key: string, read: ReadResult, resolver: Resolver, timeoutMs: number | undefined): Promise<ReadResult> {
    const merged = toBuffer(resolver(read.siblings.map((s) => s.value), { bucket, key }));
    const context = await this.put(bucket, key, merged, { context: read.context, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
    return { found: true, value: merged, siblings: [{ value: merged, timestampMs: Date.now() }], context, deleted: false, resolved: true };
  }

  /** Writes a value; returns the new version's context. */
  put(bucket: string, key: string, value: Value, options: WriteOptions = {}): Promise<Context> {
    const bytes = toBuffer(value);
    if (bytes.length > this.maxValueBytes) return Promise.reject(new TooLargeError(`the value has ${bytes.length} bytes; the limit is ${this.maxValueBytes}`));
    const request: WriteRequest = { op: 'put', bucket, key, value: bytes, context: [] };
    if (options.ttlMs !== undefined) request.ttlMs = options.ttlMs;
    return this.write(request, options).then((r) => Context.of(r.context));
  }

  /** Adds `delta` to a counter (negative: subtracts); never lost to a concurrent increment. */
  increment(bucket: string, key: string, delta = 1, options: UpdateOptions = {}): Promise<CounterUpdate> {
    return this.write({ op: 'update', bucket, key, update: { type: 'counter', increment: delta }, context: [] }, options).then((r) => {
      if (r.op !== 'update' || r.value.type !== 'counter') throw unexpected(r);
      return { value: r.value.value, context: Context.of(r.context) };
    });
  }

  /** Adds elements to a set bucket's key; concurrent adds are all kept. */
  addToSet(bucket: string, key: string, elements: readonly string[], options: UpdateOptions = {}): Promise<SetUpdate> {
    return this.updateSet(bucket, key, elements, [], options);
  }

  /**
   * Removes elements as the read whose context is given saw them (without one: as the coordinator
   * holds them); an add the read did not see survives.
   */
  removeFromSet(bucket: string, key: string, elements: readonly string[], options: UpdateOptions = {}): Promise<SetUpdate> {
    return this.updateSet(bucket, key, [], elements, options);
  }

  /** Adds and removes in one update. */
  updateSet(bucket: string, key: string, add: readonly string[], remove: readonly string[], options: UpdateOptions = {}): Promise<SetUpdate> {
    return this.write({ op: 'update', bucket, key, update: { type: 'set', add, remove }, context: [] }, options).then((r) => {
      if (r.op !== 'update' || r.value.type !== 'set') throw unexpected(r);
      return { value: r.value.value, added: r.added, removed: r.removed, context: Context.of(r.context) };
    });
  }

  async getCounter(bucket: string, key: string, options: Omit<ReadOptions, 'resolve'> = {}): Promise<CrdtRead<number>> {
    const read = await this.coordinatedRead(bucket, key, options);
    if (read.crdt !== undefined && read.crdt.type !== 'counter') throw unexpected(read);
    return { found: read.crdt !== undefined, value: read.crdt?.value ?? 0, context: Context.of(read.context) };
  }

  async getSet(bucket: string, key: string, options: Omit<ReadOptions, 'resolve'> = {}): Promise<CrdtRead<readonly string[]>> {
    const read = await this.coordinatedRead(bucket, key, options);
    if (read.crdt !== undefined && read.crdt.type !== 'set') throw unexpected(read);
    return { found: read.crdt !== undefined, value: read.crdt?.value ?? [], context: Context.of(read.context) };
  }

  private async coordinatedRead(bucket: string, key: string, options: Omit<ReadOptions, 'resolve'>): Promise<GetResult> {
    const request: { op: 'get'; bucket: string; key: string; r?: number; strict?: boolean } = { op: 'get', bucket, key };
    if (options.r !== undefined) request.r = options.r;
    if (options.strict !== undefined) request.strict = options.strict;
    const response = await this.call(request, bucket, key, undefined, options.timeoutMs);
    if (response.op !== 'get') throw unexpected(response);
    return response;
  }

  /** One page of a bucket's live keys, cluster-wide. */
  async listKeys(bucket: string, options: { limit?: number; cursor?: string | null; timeoutMs?: number } = {}): Promise<KeysPage> {
    const response = await this.call({ op: 'listKeys', bucket, limit: options.limit, cursor: options.cursor ?? null }, null, null, undefined, options.timeoutMs);
    if (response.op !== 'keys') throw unexpected(response);
    return { keys: response.keys, cursor: response.cursor };
  }

  /** Every live key of a bucket, page by page. */
  async *keys(bucket: string, pageSize = 1000): AsyncGenerator<string> {
    let cursor: string | null = null;
    do {
      const page = await this.listKeys(bucket, { limit: pageSize, cursor });
      yield* page.keys;
      cursor = page.cursor;
    } while (cursor !== null);
  }

  /** Deletes (writes a tombstone superseding what `context` covers); returns the tombstone's context. */
  delete(bucket: string, key: string, options: WriteOptions = {}): Promise<Context> {
    return this.write({ op: 'delete', bucket, key, context: [] }, options).then((r) => Context.of(r.context));
  }

  async getBucket(bucket: string): Promise<BucketProps> {
    const response = await this.call({ op: 'getBucket', bucket }, null, null, undefined, undefined);
    if (response.op !== 'bucket') throw unexpected(response);
    this.learned(bucket, response.props);
    return response.props;
  }

  /** Changes a bucket's properties cluster-wide (any subset of n, r, w, conflict, strict). */
  async setBucket(bucket: string, change: Partial<BucketProps>): Promise<BucketProps> {
    const response = await this.call({ op: 'setBucket', bucket, change }, null, null, undefined, undefined);
    if (response.op !== 'bucket') throw unexpected(response);
    this.learned(bucket, response.props);
    return response.props;
  }

  /** Closes every connection and stops refreshing the ring; requests in flight fail. */
  async close(): Promise<void> {
    this.closed = true;
    this.tracker.stop();
    this.pools.close();
  }

  /** Sends a put, delete or update with the options' context, w, strict and coordinator. */
  private write(request: WriteRequest, options: WriteOptions): Promise<Extract<OkResponse, { op: 'put' | 'delete' | 'update' }>> {
    let context: Context;
    try {
      context = contextOf(options.context);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    request.context = context.vector;
    if (options.w !== undefined) request.w = options.w;
    if (options.strict !== undefined) request.strict = options.strict;
    if (context.fastestReplica !== undefined) request.coordinator = context.fastestReplica;
    return this.call(request, request.bucket, request.key, context.fastestReplica, options.timeoutMs).then((response) => {
      if (response.op !== 'put' && response.op !== 'delete' && response.op !== 'update') throw unexpected(response);
      return response;
    });
  }

  /**
   * Sends to the best node for the key, trying others when a node cannot be reached; rejects with
   * the node's error as a typed error. Written with `then` rather than `async`: it runs for every
   * request, and each await costs a promise and a resumption.
   */
  private call(request: ClientRequest, bucket: string | null, key: string | null, preferred: string | undefined, timeoutMs: number | undefined): Promise<OkResponse> {
    if (this.closed) return Promise.reject(new ConnectionError('the client is closed'));
    const routing = this.tracker.current;
    if (routing === null) return this.tracker.routing().then(() => this.call(request, bucket, key, preferred, timeoutMs));
    try {
      const n = bucket === null ? routing.replicas : this.replicasOf(bucket, routing.replicas);
      const deadlineMs = Date.now() + (timeoutMs ?? this.timeoutMs);
      return this.attempt({ routing, bucket, key, n, deadlineMs, tried: null, lastError: undefined }, request, preferred, 0);
    } catch (err) {
      // A promise-returning method reports every failure as a rejection, never a throw.
      return Promise.reject(err as Error);
    }
  }

  private attempt(call: Attempts, request: ClientRequest, preferred: string | undefined, attempt: number): Promise<OkResponse> {
    const remainingMs = call.deadlineMs - Date.now();
    if (remainingMs <= 0) return Promise.reject(call.lastError ?? new TimeoutError('the request timed out'));
    const node = attempt < MAX_ATTEMPTS ? call.routing.pick(call.bucket, call.key, call.n, preferred, this.pools.usable, call.tried) : undefined;
    if (node === undefined) {
      return Promise.reject(call.lastError ?? new ConnectionError('no node of the cluster serves the binary client protocol (start nodes with --client-port)'));
    }
    // The last chance gets what is left; an earlier one no more than a live node needs to answer.
    const lastChance = attempt === MAX_ATTEMPTS - 1 || remainingMs <= this.attemptTimeoutMs;
    const attemptMs = lastChance ? remainingMs : this.attemptTimeoutMs;
    const onAnswer = (response: ClientResponse): OkResponse | Promise<OkResponse> => {
      if (response.ok) return response;
      // A node that cannot be reached, is stopping or has not joined did nothing: try the next one.
      if (response.error !== 'unavailable') throw errorFromResponse(response);
      call.lastError ??= errorFromResponse(response);
      this.unreachable(node);
      (call.tried ??= new Set()).add(node);
      // The preferred coordinator is out of reach from here: let the next node choose.
      const next = 'coordinator' in request && request.coordinator !== undefined ? withoutCoordinator(request) : request;
      return this.attempt(call, next, undefined, attempt + 1);
    };
    const onError = (err: unknown): OkResponse | Promise<OkResponse> => {
      // A node silent past the attempt timeout is treated as unreachable (it may be hung).
      const silent = err instanceof TimeoutError && !lastChance;
      if (!(err instanceof ConnectionError || silent) || this.closed) throw err;
      call.lastError = err as DynamoError;
      return onAnswer({ ok: false, error: 'unavailable', message: (err as Error).message });
    };
    return this.pools.connection(node, call.routing.clientAddressOf(node)!).send(request, attemptMs).then(onAnswer, onError);
  }

  /**
   * The bucket's n when known; otherwise the ring's (an upper bound: a request may then reach a
   * non-primary, which forwards a write).
   */
  private replicasOf(bucket: string, ringReplicas: number): number {
    return this.knownProps(bucket)?.n ?? ringReplicas;
  }

  /**
   * The bucket's properties as last learned, or undefined before they are. Older than a ring
   * refresh period, they are fetched again in the background and used meanwhile, so that routing
   * never falls back to the ring's n while a bucket is being relearned (a replica's answer carries
   * the bucket's current n, r and conflict mode, so a stale copy here cannot weaken a read).
   */
  private knownProps(bucket: string): BucketProps | undefined {
    const known = this.bucketProps.get(bucket);
    if ((known === undefined || Date.now() - known.learnedAtMs > this.ringRefreshMs) && !this.bucketLookups.has(bucket)) {
      this.bucketLookups.add(bucket);
      this.getBucket(bucket)
        .catch(() => undefined)
        .finally(() => this.bucketLookups.delete(bucket));
    }
    return known?.props;
  }

  private learned(bucket: string, props: BucketProps): void {
    // A bound for applications that use very many buckets: forgetting only costs a lookup.
    if (this.bucketProps.size >= MAX_KNOWN_BUCKETS && !this.bucketProps.has(bucket)) this.bucketProps.clear();
    this.bucketProps.set(bucket, { props, learnedAtMs: Date.now() });
  }
}
