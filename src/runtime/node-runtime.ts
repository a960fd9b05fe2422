/**
 * The real loop around one DynamoNode: it feeds the node client requests, peer frames,
 * connectivity changes and ticks with the wall clock, and applies the node's effects in one order:
 * stage the writes, commit them, then send the messages and replies that came with them. Batches
 * are delivered in order, so no reply can acknowledge a write whose commit has not finished.
 *
 * Group commit: a turn that wrote nothing, with nothing queued before it, is sent at once;
 * otherwise its writes join the next commit, which runs in the next turn if the last one was more
 * than `commitWindowMs` ago and otherwise when the window closes. The default window is 0, and
 * every longer one measured slower or no faster, with the log engine, LMDB and `--fsync always`
 * alike: every acknowledgement waits for the window, and 50 clients in flight then do fewer
 * operations per second, while a commit that is slow (an fsync) already gathers whatever arrived
 * during it into the next one.
 */
import { randomBytes } from 'node:crypto';
import { IdTable } from '../core/id-table.js';
import { seededRng } from '../core/random.js';
import type { MemberSpec } from '../core/membership/index.js';
import { buildNodeConfig, type NodeConfig } from '../node/config.js';
import { deliverEffects, stageWrites } from '../node/apply-effects.js';
import type { ClientReply, Effects, LogEvent, OutboundMessage, StorageWrite } from '../node/effects.js';
import { DynamoNode, type NodeInput } from '../node/node.js';
import { decodeEnvelope, encodeEnvelope, ProtocolError } from '../protocol/codec.js';
import { forgedSender } from '../node/gossip/peer-identity.js';
import { PROTOCOL_VERSION } from '../protocol/messages.js';
import type { ClientRequest, ClientResponse } from '../protocol/requests.js';
import type { StorageEngine } from '../storage/engine.js';
import { createTcpTransport } from '../transport/transport.js';
import type { PeerTlsOptions, Transport, VerifiedSender } from '../transport/transport.js';
import type { FrameVerdict } from '../transport/types.js';
import { WarningLimiter } from './warning-limiter.js';
import type { UserChange } from '../node/gossip/users-agent.js';
import { loadIncarnation } from './identity.js';
import type { Logger } from './logger.js';

export const TICK_INTERVAL_MS = 20;

/**
 * The node's clock: wall time at process start, then monotonic. A system clock stepped backwards
 * (NTP, an operator) would otherwise freeze every deadline until it caught up; version timestamps
 * stay close to wall time and never go backwards within a process.
 */
/**
 * The rule for a node that comes back after its tombstones may have been reaped elsewhere
 * (docs/operations.md, "Deletes and tombstone grace"): away longer than the grace, it could hand
 * out copies of keys deleted and reaped meanwhile, so it does not start with that data.
 */
export function staleDataProblem(awayMs: number | null, graceMs: number): string | null {
  if (awayMs === null || awayMs <= graceMs) return null;
  return (
    `this node was stopped for ${Math.round(awayMs / 1000)} s, longer than the tombstone grace (--tombstone-grace-ms ${graceMs}): ` +
    'its data may hold keys that were deleted and reaped meanwhile, which it would bring back. ' +
    'Remove its data directory to rejoin empty under the same id (anti-entropy and transfer refill it), ' +
    `or, if no key was deleted while it was away (the whole cluster was stopped), start it once with --tombstone-grace-ms above ${awayMs}`
  );
}

function nodeNow(): number {
  return Math.floor(performance.timeOrigin + performance.now());
}

export interface RuntimeOptions {
  readonly self: MemberSpec;
  readonly listenHost: string;
  readonly peerPort: number;
  readonly seeds: readonly string[];
  readonly engine: StorageEngine;
  readonly logger: Logger;
  readonly config?: Partial<Omit<NodeConfig, 'self' | 'actor' | 'seeds'>>;
  /** Group commit window: writes commit at most once per window under load (default 0: every turn). */
  readonly commitWindowMs?: number;
  /** Mutual TLS on the peer port; every frame's sender must then be the id its certificate names. */
  readonly peerTls?: Omit<PeerTlsOptions, 'onRefused'>;
}

/** Receives a client request's response, exactly once. */
type Respond = (response: ClientResponse) => void;

const STOPPING: ClientResponse = { ok: false, error: 'unavailable', message: 'the node is stopping' };

export class NodeRuntime {
  private requestCounter = 0;
  /** Requests waiting for their reply, by request id (an IdTable, not a Map: see id-table.ts). */
  private readonly clients = new IdTable<Respond>();
  /** Called after every delivery, so that answers queued by `Respond` callbacks leave in this turn. */
  private readonly flushHooks: (() => void)[] = [];
  private outbox: Effects[] = [];
  private flushScheduled = false;
  /** Batches whose writes are staged, waiting for the next commit. */
  private awaitingCommit: Effects[] = [];
  /** Cancels the scheduled commit, when one is scheduled. */
  private cancelCommit: (() => void) | null = null;
  private committing: Promise<void> | null = null;
  private lastCommitMs = -Infinity;
  private ticker: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Called once, when the node has left the cluster (after `dynamo leave`) and may stop. */
  onLeft: (() => void) | null = null;
  private leftReported = false;
  /** Malformed frames are logged at a bounded rate: a flood of them must not become a flood of logs. */
  private readonly warnings = new WarningLimiter();

  private constructor(
    readonly node: DynamoNode,
    private readonly engine: StorageEngine,
    private readonly transport: Transport,
    private readonly logger: Logger,
    private readonly commitWindowMs: number,
  ) {}

  static async start(options: RuntimeOptions): Promise<NodeRuntime> {
    const incarnation = await loadIncarnation(options.engine);
    const config = buildNodeConfig({ self: options.self, actor: `${options.self.id}:${incarnation}`, seeds: options.seeds }, options.config);
    const node = new DynamoNode(config, options.engine, seededRng(randomBytes(4).readUInt32BE(0)), nodeNow());
    const away = staleDataProblem(node.awayMs(nodeNow()), config.tombstoneGraceMs);
    if (away !== null) throw new Error(away);
    let runtime: NodeRuntime | null = null;
    const transport = createTcpTransport({
      host: options.listenHost,
      port: options.peerPort,
      logger: options.logger,
      ...(options.peerTls === undefined ? {} : { tls: { ...options.peerTls, onRefused: () => node.metrics.peerConnectionsRefused++ } }),
      clusterId: () => node.clusterId(),
      onClusterRefused: () => node.metrics.peerConnectionsRefused++,
      handlers: {
        frame: (from, payload, sender) => runtime?.onFrame(from, payload, sender),
        peerUp: (address) => void runtime?.input({ kind: 'peerUp', address }),
        peerDown: (address) => void runtime?.input({ kind: 'peerDown', address }),
      },
    });
    runtime = new NodeRuntime(node, options.engine, transport, options.logger, options.commitWindowMs ?? 0);
    await transport.listen();
    runtime.ticker = setInterval(() => void runtime?.input({ kind: 'tick' }), TICK_INTERVAL_MS);
    runtime.input({ kind: 'tick' });
    return runtime;
  }

  /**
   * Runs one client request through the node; `respond` gets its response once (synchronously
   * only when the node is stopping). The client protocol's path: no promise per request.
   */
  submit(request: ClientRequest, respond: Respond): void {
    if (this.stopped) return respond(STOPPING);
    const requestId = ++this.requestCounter;
    this.clients.set(requestId, respond);
    this.input({ kind: 'client', requestId, request });
  }

  /** `submit` as a promise (never rejects). */
  request(request: ClientRequest): Promise<ClientResponse> {
    return new Promise((resolve) => this.submit(request, resolve));
  }

  /**
   * Registers a function called at the end of every delivery (after the messages were queued and
   * the `Respond` callbacks ran): the client protocol writes the answers it queued then, in the
   * same turn as the commit, instead of one event-loop turn later.
   */
  addFlushHook(hook: () => void): void {
    this.flushHooks.push(hook);
  }

  private onFrame(from: string, payload: Uint8Array, sender: VerifiedSender): FrameVerdict | void {
    let envelope;
    try {
      envelope = decodeEnvelope(payload);
    } catch (err) {
      this.node.metrics.badMessages++;
      const type = err instanceof ProtocolError ? err.messageType : null;
      this.warnings.warn(this.logger, { from, type, error: (err as Error).message }, 'dropped a malformed peer frame');
      return undefined;
    }
    const forged = forgedSender(envelope, sender);
    if (forged !== null) {
      this.node.metrics.forgedSenders++;
      this.warnings.warn(this.logger, { from, certificate: sender, claimed: forged }, 'dropped a peer frame whose sender is not the node its certificate names');
      return;
    }
    return this.input({ kind: 'peer', from, envelope }) ? undefined : 'close';
  }

  /** The storage engine's name and figures, for /status. */
  storageStatus(): Record<string, unknown> {
    return { engine: this.engine.name, ...this.engine.stats?.() };
  }

  /** Operator actions: leave the cluster, or join through a seed. */
  leave(): void {
    this.input({ kind: 'leave' });
  }

  join(seed: string): void {
    this.input({ kind: 'join', seed });
  }

  /** Creates, changes or removes a user (spread cluster-wide by the node); false when the table is full. */
  changeUser(name: string, change: UserChange): boolean {
    if (this.stopped) return false;
    const before = this.node.users.table();
    this.input({ kind: 'user', name, change });
    return this.node.users.table() !== before || change.kind === 'seed';
  }

  /** Returns false when handling the input threw (a bug, counted and logged; see handlerFailed). */
  private input(input: NodeInput): boolean {
    if (this.stopped) return true;
    let handled = true;
    try {
      this.node.step(input, nodeNow());
    } catch (err) {
      handled = false;
      this.handlerFailed(input, err);
    }
    if (input.kind === 'tick' && !this.leftReported && this.node.hasLeft()) {
      this.leftReported = true;
      setImmediate(() => this.onLeft?.());
    }
    this.apply(this.node.drain());
    return handled;
  }

  /**
   * Belt and braces behind the decoders: an input whose handling threw is a bug, not a reason to
   * stop serving. It is logged with what the input was, counted (dynamo_handler_errors_total), and
   * a client that sent it gets an error; the effects the node produced before the throw are
   * applied as usual, since each was complete when it was produced. For a peer frame the caller
   * closes that connection.
   */
  private handlerFailed(input: NodeInput, err: unknown): void {
    this.node.metrics.handlerErrors++;
    const what = input.kind === 'peer' ? { from: input.from, sender: input.envelope.from, type: input.envelope.body.type } : input.kind === 'client' ? { op: input.request.op } : {};
    this.logger.error({ input: input.kind, ...what, error: (err as Error).message, stack: (err as Error).stack }, 'BUG: handling an input threw; the node keeps serving');
    if (input.kind !== 'client') return;
    const respond = this.clients.get(input.requestId);
    this.clients.delete(input.requestId);
    respond?.({ ok: false, error: 'unavailable', message: 'the node failed to handle this request (a bug, logged on the node)' });
  }

  private apply(effects: Effects): void {
    stageWrites(effects, this.stageSink);
    if (effects.messages.length + effects.replies.length + effects.writes.length === 0) return;
    this.outbox.push(effects);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** One turn's worth of effects: sent now if nothing needs persisting first, else queued for the next commit. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.outbox;
    this.outbox = [];
    if (!this.engine.hasStaged() && this.awaitingCommit.length === 0 && this.committing === null) {
      this.deliver(batch);
      return;
    }
    this.awaitingCommit.push(...batch);
    this.scheduleCommit();
  }

  private scheduleCommit(): void {
    if (this.cancelCommit !== null || this.committing !== null || this.awaitingCommit.length === 0) return;
    const wait = Math.max(0, this.lastCommitMs + this.commitWindowMs - performance.now());
    if (wait === 0) {
      // In the turn's flush, or right after the previous commit: commit now, so that the turn's
      // messages and replies leave in this turn rather than the next.
      this.commitNow();
    } else {
      const handle = setTimeout(() => this.commitNow(), wait);
      this.cancelCommit = () => clearTimeout(handle);
    }
  }

  private commitNow(): void {
    this.cancelCommit = null;
    const batch = this.awaitingCommit;
    this.awaitingCommit = [];
    this.lastCommitMs = performance.now();
    this.committing = this.engine.commit().then(
      () => this.deliver(batch),
      (err: unknown) => this.commitFailed(batch, err),
    );
    void this.committing.then(() => {
      this.committing = null;
      this.scheduleCommit();
    });
  }

  private readonly stageSink = {
    stage: (w: StorageWrite): void => this.engine.stage(w.key, w.value, w.sortKey, w.digest),
    log: (l: LogEvent): void => this.logger[l.level](l.fields, l.msg),
  };

  private readonly deliverySink = {
    send: (m: OutboundMessage): void => {
      if (this.transport.send(m.to, encodeEnvelope({ v: PROTOCOL_VERSION, from: this.node.selfId, body: m.body })) === 'dropped') this.node.metrics.sendsDropped++;
    },
    reply: (reply: ClientReply): void => {
      const respond = this.clients.get(reply.requestId);
      if (respond === undefined) return;
      this.clients.delete(reply.requestId);
      try {
        respond(reply.response);
      } catch (err) {
        // One answer that cannot be written must not keep the rest of the turn from leaving.
        this.logger.error({ error: (err as Error).message }, 'answering a client request failed');
      }
    },
  };

  private deliver(batch: Effects[]): void {
    for (const effects of batch) deliverEffects(effects, this.deliverySink);
    this.transport.flush?.();
    for (const hook of this.flushHooks) hook();
  }

  /** Nothing of a failed batch may be acknowledged: its replies become errors, its messages are dropped. */
  private commitFailed(batch: Effects[], err: unknown): void {
    this.logger.error({ error: (err as Error).message }, 'storage commit failed; the turn is not acknowledged');
    for (const effects of batch) {
      for (const reply of effects.replies) {
        const respond = this.clients.get(reply.requestId);
        this.clients.delete(reply.requestId);
        respond?.({ ok: false, error: 'unavailable', message: 'the local storage failed to commit' });
      }
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.ticker !== null) clearInterval(this.ticker);
    this.flush();
    this.cancelCommit?.();
    this.cancelCommit = null;
    await this.committing;
    if (this.awaitingCommit.length > 0) this.commitNow();
    await this.committing;
    for (const respond of this.clients.values()) respond(STOPPING);
    this.clients.clear();
    await this.transport.close();
    await this.engine.close();
  }
}
