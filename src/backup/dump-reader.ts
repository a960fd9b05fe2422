/**
 * Reads a backup file block by block with positional reads (a dump larger than memory is fine).
 * Every block is checked against its SHA-256 before its entries are handed out; a block that
 * fails is reported with its byte offset and skipped (dump-format.ts says how the reader finds
 * the next one), so a damaged file restores everything that is still whole.
 */
import { open, type FileHandle } from 'node:fs/promises';
import {
  BLOCK_HEAD_BYTES,
  BLOCK_MAGIC,
  END_BYTES,
  END_MAGIC,
  FILE_MAGIC,
  HASH_BYTES,
  MAX_BLOCK_BYTES,
  MAX_HEADER_BYTES,
  parseHeader,
  sha256,
  type DumpHeader,
} from './dump-format.js';

export type DumpItem =
  | { readonly kind: 'block'; readonly index: number; readonly offset: number; readonly partition: number; readonly count: number; readonly payload: Buffer }
  | { readonly kind: 'corrupt'; readonly index: number; readonly offset: number; readonly reason: string }
  | { readonly kind: 'end'; readonly offset: number; readonly blocks: number; readonly entries: number };

export class DumpFormatError extends Error {
  override readonly name = 'DumpFormatError';
}

const SCAN_WINDOW_BYTES = 1024 * 1024;

export class DumpReader {
  private constructor(
    private readonly file: FileHandle,
    private readonly size: number,
    readonly header: DumpHeader,
    private readonly firstBlockAt: number,
  ) {}

  /** Opens a dump and checks its header; throws DumpFormatError for a file that is not one. */
  static async open(path: string): Promise<DumpReader> {
    const file = await open(path, 'r');
    try {
      const size = (await file.stat()).size;
      const fixed = await readAt(file, 0, FILE_MAGIC.length + 5);
      if (fixed.length < FILE_MAGIC.length + 5 || !fixed.subarray(0, FILE_MAGIC.length).equals(FILE_MAGIC)) throw new DumpFormatError('not a dynamo backup file (bad magic)');
      const length = fixed.readUInt32BE(FILE_MAGIC.length + 1);
      if (length > MAX_HEADER_BYTES) throw new DumpFormatError(`the header claims ${length} bytes, more than ${MAX_HEADER_BYTES}`);
      const json = await readAt(file, fixed.length, length + HASH_BYTES);
      if (json.length < length + HASH_BYTES || !sha256(json.subarray(0, length)).equals(json.subarray(length))) throw new DumpFormatError('the header fails its checksum');
      const header = parseHeader(json.subarray(0, length));
      if (typeof header === 'string') throw new DumpFormatError(header);
      return new DumpReader(file, size, header, fixed.length + length + HASH_BYTES);
    } catch (err) {
      await file.close();
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.file.close();
  }

  /** Every block in file order, with a 'corrupt' item for each stretch that fails, then 'end' when the end record is whole. */
  async *items(): AsyncGenerator<DumpItem> {
    let at = this.firstBlockAt;
    let index = 0;
    while (at < this.size) {
      const head = await readAt(this.file, at, BLOCK_HEAD_BYTES);
      const magic = head.subarray(0, 4);
      if (magic.equals(END_MAGIC)) {
        const end = await this.readEnd(at);
        if (end !== null) {
          yield end;
          return;
        }
      } else if (magic.equals(BLOCK_MAGIC) && head.length === BLOCK_HEAD_BYTES) {
        const block = await this.readBlock(at, index, head);
        if (block.kind === 'block') {
          yield block;
          index++;
          at += BLOCK_HEAD_BYTES + block.payload.length;
          continue;
        }
        yield block;
        index++;
        const claimedNext = at + BLOCK_HEAD_BYTES + head.readUInt32BE(12);
        at = (await this.startsRecord(claimedNext)) ? claimedNext : await this.scan(at + 1);
        continue;
      }
      yield { kind: 'corrupt', index, offset: at, reason: 'no block starts here' };
      index++;
      at = await this.scan(at + 1);
    }
  }

  private async readBlock(at: number, index: number, head: Buffer): Promise<DumpItem> {
    const length = head.readUInt32BE(12);
    if (length > MAX_BLOCK_BYTES || at + BLOCK_HEAD_BYTES + length > this.size) {
      return { kind: 'corrupt', index, offset: at, reason: `block claims ${length} bytes, past the end of the file or the limit` };
    }
    const payload = await readAt(this.file, at + BLOCK_HEAD_BYTES, length);
    if (!sha256(head.subarray(4, 16), payload).equals(head.subarray(16, 16 + HASH_BYTES))) {
      return { kind: 'corrupt', index, offset: at, reason: 'checksum mismatch' };
    }
    return { kind: 'block', index, offset: at, partition: head.readUInt32BE(4), count: head.readUInt32BE(8), payload };
  }

  private async readEnd(at: number): Promise<DumpItem | null> {
    const end = await readAt(this.file, at, END_BYTES);
    if (end.length !== END_BYTES || !sha256(end.subarray(4, 12)).equals(end.subarray(12))) return null;
    return { kind: 'end', offset: at, blocks: end.readUInt32BE(4), entries: end.readUInt32BE(8) };
  }

  private async startsRecord(at: number): Promise<boolean> {
    if (at === this.size) return true;
    if (at > this.size) return false;
    const magic = await readAt(this.file, at, 4);
    return magic.equals(BLOCK_MAGIC) || magic.equals(END_MAGIC);
  }

  /** The offset of the next block or end magic at or after `from` (the file's size when none). */
  private async scan(from: number): Promise<number> {
    for (let at = from; at < this.size; at += SCAN_WINDOW_BYTES - 3) {
      const window = await readAt(this.file, at, SCAN_WINDOW_BYTES);
      const hits = [window.indexOf(BLOCK_MAGIC), window.indexOf(END_MAGIC)].filter((i) => i >= 0);
      if (hits.length > 0) return at + Math.min(...hits);
      if (window.length < SCAN_WINDOW_BYTES) break;
    }
    return this.size;
  }
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await file.read(buf, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buf.subarray(0, filled);
}
