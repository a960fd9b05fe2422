/**
 * What the clients did, as the checker needs it: every operation with when it was invoked and
 * completed (in the driver's clock: virtual ms in the simulator, wall ms since start in the
 * nemesis) and what came back. Outcomes are three-valued, as in Jepsen: `ok` (acknowledged),
 * `failed` (the store said it was not done, or it never reached the store), `unknown` (it may or
 * may not have been applied: a timeout, a 503 after a partial write, a coordinator that died).
 * A write that is not `ok` may still be applied, so the checker never relies on it being absent.
 */
import type { VersionVector } from '../core/versions/index.js';
import type { VersionRef } from './versions.js';

export type Outcome = 'ok' | 'failed' | 'unknown';

interface OperationBase {
  readonly id: number;
  readonly client: string;
  readonly bucket: string;
  readonly key: string;
  readonly strict: boolean;
  /** The node the client sent the request to, when known. */
  node?: string;
  /** The node handling the request crashed or was killed while it was in flight. */
  interrupted?: boolean;
  readonly invokedMs: number;
  completedMs: number | null;
  outcome: Outcome | null;
  /** The store's error code or message when not ok. */
  error?: string;
}

export interface WriteOperation extends OperationBase {
  readonly kind: 'put' | 'delete';
  /** Unique per write; the item a put adds. */
  readonly writeId: string;
  /** The cart written (puts), including writeId. */
  readonly items: readonly string[];
  /** The union of the items of the read this write followed (what its context covers); empty for a blind write. */
  readonly seen: readonly string[];
  /** The live versions that read returned: the ones this write supersedes directly. */
  readonly seenVersions: readonly VersionRef[];
  /** W asked for, when not the bucket's default. */
  readonly w?: number | undefined;
  /** The context of the new version, when acknowledged. */
  resultContext?: VersionVector;
  /** Seen by the driver at the moment of the acknowledgement (simulator only). */
  strictCoverage?: { readonly covered: number; readonly needed: number; readonly primaries: readonly string[] };
}

export interface ReadOperation extends OperationBase {
  readonly kind: 'get';
  readonly r?: number | undefined;
  /** Union of the items of the live siblings returned. */
  items: readonly string[];
  /** The live siblings returned. */
  versions: readonly VersionRef[];
  tombstone: boolean;
}

export type Operation = WriteOperation | ReadOperation;

type NewWrite = Omit<WriteOperation, 'id' | 'completedMs' | 'outcome' | 'invokedMs'>;
type NewRead = Omit<ReadOperation, 'id' | 'completedMs' | 'outcome' | 'invokedMs' | 'items' | 'versions' | 'tombstone'>;

/** An append-only log of operations; the drivers fill in the completion. */
export class History {
  readonly operations: Operation[] = [];

  invokeWrite(op: NewWrite, nowMs: number): WriteOperation {
    const record: WriteOperation = { ...op, id: this.operations.length + 1, invokedMs: nowMs, completedMs: null, outcome: null };
    this.operations.push(record);
    return record;
  }

  invokeRead(op: NewRead, nowMs: number): ReadOperation {
    const record: ReadOperation = {
      ...op,
      id: this.operations.length + 1,
      invokedMs: nowMs,
      completedMs: null,
      outcome: null,
      items: [],
      versions: [],
      tombstone: false,
    };
    this.operations.push(record);
    return record;
  }

  complete(op: Operation, outcome: Outcome, nowMs: number, error?: string): void {
    op.outcome = outcome;
    op.completedMs = nowMs;
    if (error !== undefined) op.error = error;
  }

  /** Operations never completed (the run ended first) count as unknown. */
  closeOpen(nowMs: number): void {
    for (const op of this.operations) if (op.outcome === null) this.complete(op, 'unknown', nowMs, 'never answered');
  }
}
