/** Writes a backup file (dump-format.ts): the header, blocks of at most BLOCK_TARGET_BYTES, the end record. */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { assert } from '../core/assert.js';
import { BLOCK_MAX_ENTRIES, BLOCK_TARGET_BYTES, encodeBlock, encodeEnd, encodeFileHeader, type DumpHeader } from './dump-format.js';
import { encodeEntries, type RawEntry } from './entries.js';

export class DumpWriter {
  private blocks = 0;
  private entries = 0;
  private closed = false;

  private constructor(private readonly out: WriteStream) {}

  static async open(path: string, header: DumpHeader): Promise<DumpWriter> {
    const out = createWriteStream(path, { flags: 'w' });
    await once(out, 'open');
    const writer = new DumpWriter(out);
    await writer.write(encodeFileHeader(header));
    return writer;
  }

  get totals(): { blocks: number; entries: number } {
    return { blocks: this.blocks, entries: this.entries };
  }

  /** One partition's entries, as as many blocks as their size needs. */
  async writePartition(partition: number, entries: readonly RawEntry[]): Promise<void> {
    assert(!this.closed, 'no block after the end record');
    let start = 0;
    while (start < entries.length) {
      let end = start;
      let bytes = 0;
      while (end < entries.length && end - start < BLOCK_MAX_ENTRIES && bytes < BLOCK_TARGET_BYTES) bytes += entries[end++]!.set.length;
      const run = entries.slice(start, end);
      await this.write(encodeBlock(partition, run.length, encodeEntries(run)));
      this.blocks++;
      this.entries += run.length;
      start = end;
    }
  }

  async close(): Promise<void> {
    assert(!this.closed, 'closed once');
    this.closed = true;
    await this.write(encodeEnd(this.blocks, this.entries));
    this.out.end();
    await once(this.out, 'finish');
  }

  private async write(bytes: Buffer): Promise<void> {
    if (!this.out.write(bytes)) await once(this.out, 'drain');
  }
}
