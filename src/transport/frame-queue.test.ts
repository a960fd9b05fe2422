import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FrameQueue } from './frame-queue.js';
import { FrameDecoder } from '../protocol/framing.js';

function decodeAll(chunks: Buffer[]): Buffer[] {
  const decoder = new FrameDecoder(1 << 24);
  return chunks.flatMap((c) => decoder.push(c)).map((f) => Buffer.from(f));
}

describe('frame queue', () => {
  it('packs many small frames into one buffer', () => {
    const queue = new FrameQueue();
    for (let i = 0; i < 100; i++) queue.append(Buffer.from(`frame-${i}`));
    const chunks = queue.take();
    assert.equal(chunks.length, 1);
    assert.deepEqual(decodeAll(chunks).map(String), Array.from({ length: 100 }, (_, i) => `frame-${i}`));
    assert.equal(queue.byteLength, 0);
    assert.deepEqual(queue.take(), []);
  });

  it('queues a large payload by reference, between the runs around it', () => {
    const queue = new FrameQueue();
    const large = Buffer.alloc(100_000, 1);
    queue.append(Buffer.from('a'));
    queue.append(large);
    queue.append(Buffer.from('b'));
    const chunks = queue.take();
    assert.equal(chunks.length, 3);
    assert.equal(chunks[1]!.buffer, large.buffer);
    assert.deepEqual(decodeAll(chunks).map((f) => f.length), [1, 100_000, 1]);
  });

  it('never overwrites bytes already taken when it reuses its arena', () => {
    const queue = new FrameQueue();
    queue.append(Buffer.from('first'));
    const [taken] = queue.take();
    const copy = Buffer.from(taken!);
    queue.append(Buffer.from('second'));
    assert.ok(taken!.equals(copy));
    assert.deepEqual(decodeAll(queue.take()).map(String), ['second']);
  });

  it('keeps order and counts bytes for any mix of sizes and flushes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 70_000 }), fc.boolean()), { maxLength: 40 }),
        (steps) => {
          const queue = new FrameQueue();
          const chunks: Buffer[] = [];
          let expectedBytes = 0;
          steps.forEach(([size, flush], i) => {
            queue.append(Buffer.alloc(size, i & 0xff));
            expectedBytes += 4 + size;
            assert.equal(queue.byteLength, expectedBytes);
            if (flush) {
              chunks.push(...queue.take());
              expectedBytes = 0;
            }
          });
          chunks.push(...queue.take());
          const frames = decodeAll(chunks);
          assert.deepEqual(frames.map((f) => f.length), steps.map(([size]) => size));
          frames.forEach((f, i) => assert.ok(f.every((b) => b === (i & 0xff))));
        },
      ),
      { numRuns: 50 },
    );
  });
});
