/**
 * The backup file's laws: what the writer writes the reader reads back, entry for entry; damage
 * anywhere inside a block loses that block only, reported at its offset, and every other block
 * is still read; entries refuse what the version invariants refuse.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { encodeSiblingSet } from '../core/versions/index.js';
import { siblingSetArb } from '../core/versions/testing/arbitraries.js';
import { DumpReader, type DumpItem } from './dump-reader.js';
import { DumpWriter } from './dump-writer.js';
import { decodeRawEntries, encodeEntries, EntryDecodeError, validateEntry, type RawEntry } from './entries.js';
import type { DumpHeader } from './dump-format.js';

const dir = mkdtempSync(join(tmpdir(), 'dynamo-dump-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

const HEADER: DumpHeader = {
  format: 1,
  createdAt: '2026-12-07T23:00:00.000Z',
  cluster: { members: ['n1', 'n2', 'n3'], partitions: 8, replicas: 3, ringVersion: 'abc' },
  source: 'http://127.0.0.1:7101',
  buckets: null,
};

const nameArb = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => Buffer.byteLength(s) <= 128);
const entryArb: fc.Arbitrary<RawEntry> = fc.record({ bucket: nameArb, key: nameArb, set: siblingSetArb.map(encodeSiblingSet) });
const partitionsArb = fc.array(fc.array(entryArb, { maxLength: 6 }), { minLength: 1, maxLength: 5 });

async function write(partitions: RawEntry[][]): Promise<string> {
  const path = join(dir, `d${fileNo++}.dump`);
  const w = await DumpWriter.open(path, HEADER);
  for (let p = 0; p < partitions.length; p++) await w.writePartition(p, partitions[p]!);
  await w.close();
  return path;
}

async function readAll(path: string): Promise<{ header: DumpHeader; items: DumpItem[] }> {
  const r = await DumpReader.open(path);
  const items: DumpItem[] = [];
  for await (const item of r.items()) items.push(item);
  await r.close();
  return { header: r.header, items };
}

const same = (a: RawEntry, b: RawEntry): boolean => a.bucket === b.bucket && a.key === b.key && Buffer.compare(Buffer.from(a.set), Buffer.from(b.set)) === 0;

test('entries: decode(encode(x)) is x, and each set passes the version invariants', () => {
  fc.assert(
    fc.property(fc.array(entryArb, { maxLength: 10 }), (entries) => {
      const back = decodeRawEntries(encodeEntries(entries), 100);
      assert.equal(back.length, entries.length);
      back.forEach((e, i) => assert.ok(same(e, entries[i]!)));
      for (const e of back) assert.notEqual(typeof validateEntry(e), 'string');
    }),
  );
});

test('entries: a truncated run is refused with the offset of the bad entry, never a crash', () => {
  fc.assert(
    fc.property(fc.array(entryArb, { minLength: 1, maxLength: 5 }), fc.nat(), (entries, cut) => {
      const bytes = encodeEntries(entries);
      const at = cut % bytes.length;
      try {
        decodeRawEntries(bytes.subarray(0, at), 100);
      } catch (err) {
        assert.ok(err instanceof EntryDecodeError);
        assert.ok(err.offset <= at);
      }
    }),
  );
});

test('entries: a set that breaks the version invariants is refused before anything stores it', () => {
  const broken = encodeSiblingSet({ entries: [{ node: 'b', counter: 1, timestampMs: 5, values: [] }, { node: 'a', counter: 1, timestampMs: 5, values: [] }], anonymous: [] });
  assert.match(String(validateEntry({ bucket: 'b', key: 'k', set: broken })), /sorted/);
  assert.match(String(validateEntry({ bucket: 'b', key: 'k', set: new Uint8Array([7, 0, 0]) })), /format/);
});

test('the reader reads back every block the writer wrote, then the end record', async () => {
  await fc.assert(
    fc.asyncProperty(partitionsArb, async (partitions) => {
      const { header, items } = await readAll(await write(partitions));
      assert.deepEqual(header, HEADER);
      const blocks = items.filter((i) => i.kind === 'block');
      const read = blocks.flatMap((b) => (b.kind === 'block' ? decodeRawEntries(b.payload, b.count).map((e) => ({ ...e, p: b.partition })) : []));
      const wrote = partitions.flatMap((es, p) => es.map((e) => ({ ...e, p })));
      assert.equal(read.length, wrote.length);
      read.forEach((e, i) => assert.ok(same(e, wrote[i]!) && e.p === wrote[i]!.p));
      assert.equal(items.at(-1)!.kind, 'end');
      assert.equal(items.filter((i) => i.kind === 'corrupt').length, 0);
    }),
    { numRuns: 40 },
  );
});

test('one damaged byte in a block loses that block only, reported at its offset', async () => {
  const partitions = Array.from({ length: 4 }, (_, p) =>
    Array.from({ length: 3 }, (_, k) => ({ bucket: 'b', key: `p${p}k${k}`, set: encodeSiblingSet({ entries: [{ node: 'n1', counter: 1, timestampMs: 9, values: [{ data: Buffer.from(`value ${p} ${k}`), timestampMs: 9 }] }], anonymous: [] }) })),
  );
  const clean = await write(partitions);
  const { items } = await readAll(clean);
  const blocks = items.filter((i): i is Extract<DumpItem, { kind: 'block' }> => i.kind === 'block');
  assert.equal(blocks.length, 4);
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: 3 }), fc.nat(), fc.integer({ min: 1, max: 255 }), async (victim, where, flip) => {
      const bytes = readFileSync(clean);
      const b = blocks[victim]!;
      // Anywhere in the block: its header fields, checksum or payload (not its magic, which is a resync point).
      const span = 48 - 4 + b.payload.length;
      const at = b.offset + 4 + (where % span);
      bytes[at]! ^= flip;
      const path = join(dir, `d${fileNo++}.dump`);
      writeFileSync(path, bytes);
      const got = await readAll(path);
      const corrupt = got.items.filter((i) => i.kind === 'corrupt');
      assert.ok(corrupt.length >= 1 && corrupt[0]!.offset === b.offset, `reported at ${b.offset}`);
      const whole = got.items.filter((i): i is Extract<DumpItem, { kind: 'block' }> => i.kind === 'block');
      assert.deepEqual(whole.map((x) => x.partition), [0, 1, 2, 3].filter((p) => p !== victim), 'every other block is read');
    }),
    { numRuns: 60 },
  );
});

test('a file that is not a backup is refused with a sentence', async () => {
  const path = join(dir, 'not.dump');
  writeFileSync(path, 'hello world, this is not a dump');
  await assert.rejects(DumpReader.open(path), /not a dynamo backup file/);
});
