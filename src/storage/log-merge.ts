/**
 * Merge (compaction): copy the live records out of every non-active data file into new files, then
 * delete the old ones, reclaiming the space of overwritten and deleted values.
 *
 * Flow. `beginMerge` rolls the active file, so every file that exists is an input and only new
 * commits go to files made later. The keydir lists, per input, the offsets it points at (no
 * later write can add one: writes go to newer files), so a record at another offset is dead
 * without looking up its key, which was most of a merge's work when most records are dead; an
 * input with no such offset is not read at all. Each input is read in order, `chunkRecords`
 * records per event-loop turn: a put is copied when the keydir still points at exactly that
 * record (file and offset), its batch's seq kept; the chunk's copies go out in one write to a temp output file and
 * their keydir entries move in the same synchronous step, so a commit can never slip between the
 * check and the move (a key written or deleted since simply is not moved, and its stale copy is
 * dead on arrival). Tombstones are not copied: every older record they could shadow is in an input.
 *
 * Crash safety, step by step: an output is fdatasynced, renamed to its final name and the
 * directory fsynced before the next starts; until then a restart deletes the temp file and reads
 * the inputs, which are only deleted once every output is durable. A restart in between sees each
 * record twice with the same seq, which recovery resolves. Inputs are deleted in increasing order of
 * their highest seq, each unlink made durable before the next, so a file holding a tombstone is
 * never gone while an older file holding the put it deletes remains. Merges fsync in every
 * durability mode, even 'none': they must not put at risk data that was already on the disk.
 *
 * A merge that fails or is cancelled (by close) stops where it is. Nothing is lost: the inputs are
 * intact, and a temp output stays open as a file the keydir may point into, merged (and deleted)
 * by the next merge, or deleted by close.
 */
import { assert } from '../core/assert.js';
import type { LogDurability } from './log-durability.js';
import type { DataFile, LogFiles } from './log-files.js';
import { fdatasyncAsync, fsyncAsync, writeFully, type LogIo } from './log-io.js';
import type { Keydir } from './log-keydir.js';
import { RecordReader } from './log-reader.js';
import { BatchBuilder, RECORD_PUT } from './log-record.js';

const READ_WINDOW_BYTES = 1024 * 1024;
/** A chunk also stops once it has copied this much, so a run of big values cannot make one huge write. */
const CHUNK_BYTES = 1024 * 1024;

/** Points a test can stop at to photograph the directory as a crash there would leave it. */
export type MergeStep = 'output-written' | 'output-renamed' | 'input-removed';

export interface MergePlan {
  readonly inputs: readonly DataFile[];
  /** Ids reserved for the outputs, below the active file's. */
  readonly outputIds: number[];
  /** The seq floor written into the outputs' headers. */
  readonly baseSeq: number;
}

/** What a merge needs of the engine. */
export interface MergeHost {
  readonly io: LogIo;
  readonly files: LogFiles;
  readonly keydir: Keydir;
  readonly durability: LogDurability;
  readonly maxFileBytes: number;
  readonly chunkRecords: number;
  /** Rolls the active file and returns every other file as input. */
  beginMerge(): MergePlan;
  onStep(step: MergeStep, file: DataFile): void;
}

export class MergeCancelled extends Error {
  override readonly name = 'MergeCancelled';
}

export class LogMerge {
  private cancelled = false;
  private output: DataFile | undefined;
  private readonly builder = new BatchBuilder(256 * 1024);
  /** (slot, offset in the built bytes) pairs of the current chunk. */
  private readonly moves: number[] = [];

  constructor(private readonly host: MergeHost) {}

  /** Stops the copying at the next chunk; deleting inputs, once begun, runs to the end. */
  cancel(): void {
    this.cancelled = true;
  }

  async run(): Promise<void> {
    const plan = this.host.beginMerge();
    const live = this.host.keydir.liveOffsets(new Set(plan.inputs.map((f) => f.id)));
    for (const input of plan.inputs) {
      const offsets = live.get(input.id);
      if (offsets !== undefined) await this.copyFile(input, plan, offsets);
    }
    if (this.output !== undefined) await this.finishOutput(this.output);
    await this.removeInputs(plan.inputs);
  }

  /** `offsets`: where the keydir pointed into `input` when the merge began, ascending. */
  private async copyFile(input: DataFile, plan: MergePlan, offsets: Float64Array): Promise<void> {
    const reader = new RecordReader(this.host.io, input, READ_WINDOW_BYTES);
    const candidates = { offsets, next: 0 };
    while (!reader.done) {
      if (this.cancelled) throw new MergeCancelled('the merge was cancelled');
      if (this.output !== undefined && this.output.size >= this.host.maxFileBytes) await this.finishOutput(this.output);
      this.copyChunk(reader, input, plan, candidates);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Copies the live puts among the next `chunkRecords` records (or CHUNK_BYTES) and moves their keydir entries. */
  private copyChunk(reader: RecordReader, input: DataFile, plan: MergePlan, candidates: { readonly offsets: Float64Array; next: number }): void {
    const { keydir } = this.host;
    const builder = this.builder;
    builder.clear();
    this.moves.length = 0;
    let openSeq = -1;
    const { offsets } = candidates;
    for (let n = 0; n < this.host.chunkRecords && builder.bytes < CHUNK_BYTES && reader.next(); n++) {
      if (reader.type !== RECORD_PUT) continue;
      // Records come in offset order: skip the candidates behind this one; no candidate here, dead.
      while (candidates.next < offsets.length && offsets[candidates.next]! < reader.valueOffset) candidates.next++;
      if (offsets[candidates.next] !== reader.valueOffset) continue;
      const buf = reader.buf;
      const slot = keydir.slot(buf.toString('latin1', reader.keyAt, reader.valueAt));
      if (slot === undefined || keydir.fileOf(slot) !== input.id || keydir.offsetOf(slot) !== reader.valueOffset) continue;
      assert(keydir.lengthOf(slot) === reader.valueBytes, 'the keydir and the record agree on the value length');
      if (openSeq !== reader.seq) {
        if (builder.isOpen) builder.seal();
        builder.open(reader.seq);
        openSeq = reader.seq;
      }
      this.moves.push(slot, builder.put(buf.subarray(reader.keyAt, reader.valueAt), buf.subarray(reader.valueAt, reader.valueAt + reader.valueBytes)));
    }
    if (builder.isOpen) builder.seal();
    if (builder.bytes === 0) return;
    const out = this.output ?? this.openOutput(plan);
    const base = out.size;
    writeFully(this.host.io, out.fd, builder.view(), base);
    let maxSeq = -1;
    for (let i = 0; i < this.moves.length; i += 2) {
      const slot = this.moves[i]!;
      keydir.move(slot, out.id, base + this.moves[i + 1]!);
      maxSeq = Math.max(maxSeq, keydir.seqOf(slot));
    }
    this.host.files.appended(out, builder.bytes, maxSeq);
  }

  private openOutput(plan: MergePlan): DataFile {
    const id = plan.outputIds.shift();
    assert(id !== undefined, 'a merge reserves enough output ids (its output is at most the live data)');
    this.output = this.host.files.create('merge', plan.baseSeq, true, id);
    return this.output;
  }

  /** Temp output → fdatasync → final name → directory fsync. */
  private async finishOutput(out: DataFile): Promise<void> {
    this.host.onStep('output-written', out);
    try {
      await fdatasyncAsync(this.host.io, out.fd);
    } catch (err) {
      throw this.host.durability.fail(`fdatasync of merge output ${out.path}`, err);
    }
    this.host.files.promote(out);
    this.output = undefined;
    this.host.onStep('output-renamed', out);
    await this.syncDir();
  }

  /** Oldest highest-seq first, each unlink durable before the next (see the top of the file). */
  private async removeInputs(inputs: readonly DataFile[]): Promise<void> {
    const ordered = [...inputs].sort((a, b) => a.maxSeq - b.maxSeq || a.id - b.id);
    for (const input of ordered) {
      await this.host.durability.forget(input, () => this.host.files.remove(input));
      this.host.onStep('input-removed', input);
      await this.syncDir();
    }
  }

  private async syncDir(): Promise<void> {
    try {
      await fsyncAsync(this.host.io, this.host.files.dirFd);
    } catch (err) {
      throw this.host.durability.fail('fsync of the data directory during a merge', err);
    }
  }
}
