/**
 * Cart clients for the nemesis: the same decisions as the simulator's clients (check/workload.ts),
 * as async loops against whichever nodes are serving (over HTTP, or through the TypeScript client:
 * cart-transport.ts), each operation recorded in the History with wall-clock times (ms since the
 * run started) and a three-valued outcome.
 */
import type { Rng } from '../core/random.js';
import { cartValue, encodeCart } from '../check/cart.js';
import type { History, ReadOperation } from '../check/history.js';
import { planOperation, summarizeRead, type BucketSpec, type PlannedOperation, type WorkloadMix } from '../check/workload.js';
import type { CartTransport } from './cart-transport.js';
import { contextVector, type ReadResult } from './http-client.js';
import type { NodeProcesses } from './processes.js';

export interface ClientOptions {
  readonly clients: number;
  readonly mix: WorkloadMix;
  readonly buckets: readonly BucketSpec[];
  readonly replicas: number;
  readonly timeoutMs: number;
  readonly thinkMs: number;
}

export class CartClients {
  private stopAtMs = 0;

  constructor(
    private readonly transport: CartTransport,
    private readonly nodes: NodeProcesses,
    private readonly history: History,
    private readonly rng: Rng,
    private readonly now: () => number,
    private readonly options: ClientOptions,
  ) {}

  /** Runs every client until `stopAtMs`; resolves when the last one finished its operation. */
  async run(stopAtMs: number): Promise<void> {
    this.stopAtMs = stopAtMs;
    await Promise.all(Array.from({ length: this.options.clients }, (_, i) => this.loop(`c${i + 1}`)));
  }

  private pickNode(): number | null {
    const serving = this.nodes.serving();
    return serving.length === 0 ? null : serving[this.rng.int(serving.length)]!;
  }

  private async loop(client: string): Promise<void> {
    let seq = 0;
    while (this.now() < this.stopAtMs) {
      const plan = planOperation(this.rng, this.options.buckets, this.options.mix, this.options.replicas);
      const node = this.pickNode();
      if (node === null) {
        await sleep(100);
        continue;
      }
      if (plan.kind === 'get') {
        await this.read(client, node, plan);
      } else if (plan.kind === 'put') {
        await this.write(client, node, plan, `${client}.${++seq}`, null);
      } else {
        const read = await this.read(client, node, plan);
        if (read.op.outcome === 'ok' && read.result.ok && !(plan.kind === 'delete' && read.result.values.length === 0)) {
          await this.write(client, node, plan, `${client}.${++seq}`, read);
        }
      }
      await sleep(this.rng.int(this.options.thinkMs + 1));
    }
  }

  private async read(client: string, node: number, plan: PlannedOperation): Promise<{ op: ReadOperation; result: ReadResult }> {
    const op = this.history.invokeRead({ kind: 'get', client, bucket: plan.bucket, key: plan.key, strict: plan.strict, r: plan.r }, this.now());
    op.node = `n${node}`;
    const result = await this.transport.get(node, plan.bucket, plan.key, { r: plan.r, strict: plan.strict, timeoutMs: this.options.timeoutMs });
    if (!result.ok) {
      this.history.complete(op, 'failed', this.now(), result.error);
      return { op, result };
    }
    const summary = summarizeRead(result.values);
    op.items = summary.items;
    op.versions = summary.versions;
    op.tombstone = result.tombstone;
    this.history.complete(op, 'ok', this.now());
    return { op, result };
  }

  private async write(client: string, node: number, plan: PlannedOperation, writeId: string, after: { op: ReadOperation; result: ReadResult } | null): Promise<void> {
    const kind = plan.kind === 'delete' ? 'delete' : 'put';
    const seen = after?.op.items ?? [];
    const items = kind === 'put' ? cartValue(writeId, seen).items : [];
    const op = this.history.invokeWrite(
      { kind, client, bucket: plan.bucket, key: plan.key, strict: plan.strict, writeId, items, seen, seenVersions: after?.op.versions ?? [], w: plan.w },
      this.now(),
    );
    op.node = `n${node}`;
    const value = kind === 'put' ? encodeCart({ writeId, items }) : null;
    const result = await this.transport.write(node, plan.bucket, plan.key, value, after?.result ?? null, { w: plan.w, strict: plan.strict, timeoutMs: this.options.timeoutMs });
    if (!result.ok) {
      if (!this.nodes.isAlive(node)) op.interrupted = true;
      this.history.complete(op, result.outcome, this.now(), result.error);
      return;
    }
    this.history.complete(op, 'ok', this.now());
    const vector = contextVector(result.context);
    if (vector !== undefined) op.resultContext = vector;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
