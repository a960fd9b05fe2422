/**
 * The model-based half of the engine compliance suite: fast-check drives random sequences of
 * stage / delete / commit / get / range / count against an engine and against the simplest model
 * that could be right, one Map of what is visible (a commit changes durability, never visibility).
 * Keys come from a tiny alphabet with 0x00 and 0xff and short lengths, so prefixes, equal keys and
 * boundary bytes turn up in nearly every run. Every run works under its own two-byte prefix, so
 * one engine serves all runs without a reset.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { StorageEngine } from '../engine.js';

type Op =
  | { readonly t: 'stage'; readonly key: number[]; readonly value: number[] | null }
  | { readonly t: 'commit' }
  | { readonly t: 'get'; readonly key: number[] }
  | { readonly t: 'range'; readonly from: number[]; readonly to: number[]; readonly limit: number | undefined; readonly reverse: boolean }
  | { readonly t: 'count'; readonly from: number[]; readonly to: number[] };

const byte = fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff);
const keyArb = fc.array(byte, { maxLength: 3 });
const valueArb = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 4 });

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant('stage' as const), key: keyArb, value: valueArb }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('stage' as const), key: keyArb, value: fc.constant(null) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('commit' as const) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('get' as const), key: keyArb }) },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('range' as const),
      from: keyArb,
      to: keyArb,
      limit: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
      reverse: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('count' as const), from: keyArb, to: keyArb }) },
);

/** Hex keeps byte order: two characters a byte, and a prefix sorts first. */
const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

function modelRange(model: Map<string, Uint8Array>, from: Uint8Array, to: Uint8Array, limit: number | undefined, reverse: boolean): string[] {
  const f = hex(from);
  const t = hex(to);
  const keys = [...model.keys()].filter((k) => k >= f && k < t).sort();
  if (reverse) keys.reverse();
  return keys.slice(0, limit ?? keys.length).map((k) => `${k}=${hex(model.get(k)!)}`);
}

async function runOps(engine: StorageEngine, prefix: Uint8Array, ops: readonly Op[]): Promise<void> {
  const model = new Map<string, Uint8Array>();
  const key = (bytes: number[]): Uint8Array => Uint8Array.from([...prefix, ...bytes]);
  for (const op of ops) {
    switch (op.t) {
      case 'stage': {
        const value = op.value === null ? null : Uint8Array.from(op.value);
        engine.stage(key(op.key), value);
        if (value === null) model.delete(hex(key(op.key)));
        else model.set(hex(key(op.key)), value);
        break;
      }
      case 'commit':
        await engine.commit();
        assert.equal(engine.hasStaged(), false);
        break;
      case 'get': {
        const got = engine.get(key(op.key));
        const want = model.get(hex(key(op.key)));
        assert.equal(got === undefined ? undefined : hex(got), want === undefined ? undefined : hex(want));
        break;
      }
      case 'range': {
        const got = [...engine.range(key(op.from), key(op.to), { limit: op.limit, reverse: op.reverse })].map((e) => `${hex(e.key)}=${hex(e.value)}`);
        assert.deepEqual(got, modelRange(model, key(op.from), key(op.to), op.limit, op.reverse));
        break;
      }
      case 'count':
        assert.equal(engine.count(key(op.from), key(op.to)), modelRange(model, key(op.from), key(op.to), undefined, false).length);
        break;
    }
  }
  await engine.commit();
}

/** Checks `engine` against the model over `numRuns` random operation sequences. */
export async function checkAgainstModel(engine: StorageEngine, numRuns: number): Promise<void> {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { maxLength: 40 }), async (ops) => {
      run++;
      const prefix = Uint8Array.of(0x42, run >> 8, run & 0xff);
      await runOps(engine, prefix, ops);
    }),
    { numRuns },
  );
}
