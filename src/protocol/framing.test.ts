import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeFrame, FrameDecoder, FrameTooLargeError } from './framing.js';

/** Splits `bytes` at the given cut points (any order, duplicates allowed). */
function splitAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  return chunks;
}

describe('framing', () => {
  it('encodes a 4-byte big-endian length before the payload', () => {
    assert.deepEqual([...encodeFrame(Buffer.from('abc'))], [0, 0, 0, 3, 97, 98, 99]);
    assert.deepEqual([...encodeFrame(new Uint8Array(0))], [0, 0, 0, 0]);
  });

  it('decodes random payloads split at random chunk boundaries to the same frames', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (payloads, cuts) => {
          const stream = Buffer.concat(payloads.map(encodeFrame));
          const decoder = new FrameDecoder(300);
          const decoded = splitAt(stream, cuts).flatMap((chunk) => decoder.push(chunk));
          assert.deepEqual(decoded.map((f) => Buffer.from(f)), payloads.map((p) => Buffer.from(p)));
          assert.equal(decoder.bufferedBytes, 0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('returns frames lying whole in one chunk as views, without copying', () => {
    const chunk = Buffer.concat([encodeFrame(Buffer.from('one')), encodeFrame(Buffer.from('two'))]);
    const frames = new FrameDecoder(10).push(chunk);
    assert.equal(frames.length, 2);
    for (const frame of frames) assert.equal(frame.buffer, chunk.buffer);
  });

  it('assembles a large frame arriving in many small chunks, with the header split too', () => {
    const payload = Buffer.alloc(1024 * 1024, 7);
    const stream = encodeFrame(payload);
    const decoder = new FrameDecoder(2 * 1024 * 1024);
    assert.deepEqual(decoder.push(stream.subarray(0, 1)), []);
    assert.deepEqual(decoder.push(stream.subarray(1, 3)), []);
    const frames: Uint8Array[] = [];
    for (let at = 3; at < stream.length; at += 1000) frames.push(...decoder.push(stream.subarray(at, at + 1000)));
    assert.equal(frames.length, 1);
    assert.ok(Buffer.from(frames[0]!).equals(payload));
  });

  it('throws FrameTooLargeError on an oversize length, keeping the frames before it, and stays failed', () => {
    const decoder = new FrameDecoder(8);
    const bad = Buffer.from([0, 0, 0, 9]);
    const error = (() => {
      try {
        decoder.push(Buffer.concat([encodeFrame(Buffer.from('ok')), bad]));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(error instanceof FrameTooLargeError);
    assert.equal(error.code, 'frame_too_large');
    assert.equal(error.frameBytes, 9);
    assert.deepEqual(error.framesBefore.map((f) => Buffer.from(f).toString()), ['ok']);
    assert.throws(() => decoder.push(encodeFrame(Buffer.from('x'))), FrameTooLargeError);
  });

  it('detects an oversize length split across chunks', () => {
    const decoder = new FrameDecoder(1000);
    assert.deepEqual(decoder.push(Buffer.from([0xff, 0xff])), []);
    assert.throws(() => decoder.push(Buffer.from([0xff, 0xff])), { code: 'frame_too_large' });
  });
});
