/**
 * A client write that arrived at a node outside the key's primaries is handed to a healthy
 * primary, which coordinates it (only a replica can mint a version from its own copy). If that
 * primary drops before answering, the request is routed again once; the client may therefore see
 * a write applied twice, which versioning turns into identical siblings at worst. Not so a counter
 * or set update: applied twice it takes two dots (an increment counted twice; an add that a later
 * remove, having seen one dot, cannot fully remove), so an update that was sent is never routed
 * again: the client is told its outcome is unknown, as on a deadline.
 */
import { assert } from '../../core/assert.js';
import type { NodeOperation } from '../operation.js';
import type { NodeId } from '../../core/ids.js';
import { MessageType } from '../../protocol/messages.js';
import { clientError, type ClientRequest, type ClientResponse } from '../../protocol/requests.js';
import type { ClientRef, NodeContext } from '../context.js';

/** Extra time beyond the coordinator's own deadline, so its 503 arrives before ours would. */
export const FORWARD_SLACK_MS = 500;

export class ForwardOperation implements NodeOperation {
  readonly kind = 'forward';
  readonly deadlineMs: number;
  done = false;

  constructor(
    private readonly ctx: NodeContext,
    readonly id: number,
    readonly clientRef: ClientRef,
    private readonly target: NodeId,
    private readonly request: ClientRequest,
    private readonly reroute: () => void,
  ) {
    assert(target !== ctx.selfId, 'a forward goes to another node');
    assert(request.op !== 'setBucket' && request.op !== 'getBucket', 'only key operations are forwarded');
    this.deadlineMs = ctx.now() + ctx.config.requestTimeoutMs + FORWARD_SLACK_MS;
  }

  start(): void {
    assert(!this.done, 'a forward starts once');
    this.ctx.metrics.forwarded++;
    if (!this.ctx.send(this.target, { type: MessageType.Forward, id: this.id, request: this.request })) this.retry();
  }

  onForwardReply(from: NodeId, response: ClientResponse): void {
    if (from !== this.target || this.done) return;
    this.done = true;
    this.ctx.respond(this.clientRef, response);
  }

  onPeerDown(node: NodeId): void {
    if (node !== this.target || this.done) return;
    if (this.request.op !== 'update') return this.retry();
    this.done = true;
    this.ctx.respond(this.clientRef, clientError('quorum_failed', `the coordinating replica ${this.target} went down before answering; the update may have been applied`, { needed: 1, acked: 0 }));
  }

  onDeadline(): void {
    if (this.done) return;
    this.done = true;
    this.ctx.respond(this.clientRef, clientError('quorum_failed', `the coordinating replica ${this.target} did not answer in time`, { needed: 1, acked: 0 }));
  }

  private retry(): void {
    assert(!this.done, 'a forward is rerouted at most once, before it answered');
    this.done = true;
    this.reroute();
  }
}
