/**
 * The compliance suite every StorageEngine must pass (memory, LMDB, and any simulated engine), so
 * the node can rely on one semantics whatever it runs on: staged writes visible at once, one
 * transaction per commit applied in call order, byte-ordered ranges over committed state merged
 * with staged writes, and (given `reopen`) durability across close and reopen. It registers
 * node:test tests; `open` must give a fresh, empty engine each call, and `reopen(old)` a new engine
 * over the same storage as `old`, which the suite has already closed.
 */
import assert from 'node:assert/strict';
import { keyString } from '../../core/byte-keys.js';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { AssertionError } from '../../core/assert.js';
import { MAX_KEY_BYTES, StorageError, type StorageEngine } from '../engine.js';
import { checkAgainstModel } from './compliance-model.js';

type Open = () => Promise<StorageEngine>;
type Reopen = (old: StorageEngine) => Promise<StorageEngine>;

const b = (...bytes: number[]): Uint8Array => Uint8Array.from(bytes);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (u: Uint8Array): string => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('hex');
const readText = (u: Uint8Array | undefined): string | undefined => (u === undefined ? undefined : new TextDecoder().decode(u));
const keysOf = (it: Iterable<{ key: Uint8Array }>): string[] => [...it].map((e) => hex(e.key));
const pairsOf = (it: Iterable<{ key: Uint8Array; value: Uint8Array }>): string[] => [...it].map((e) => `${hex(e.key)}=${readText(e.value)}`);

async function withEngine(open: Open, body: (engine: StorageEngine) => Promise<void>): Promise<void> {
  const engine = await open();
  try {
    await body(engine);
  } finally {
    await engine.close();
  }
}

/** Keys chosen so that 0x00, 0xff and prefixes of other keys sit at every boundary. */
const BINARY_KEYS = [b(0x00), b(0x00, 0x00), b(0x00, 0x01), b(0x00, 0xff), b(0x01), b(0x01, 0x00), b(0x7f, 0xff), b(0x80), b(0xff), b(0xff, 0x00), b(0xff, 0xff), b(0xff, 0xff, 0xff)];

async function stageAndCommit(engine: StorageEngine, keys: readonly Uint8Array[]): Promise<void> {
  for (const k of keys) engine.stage(k, text(`v${hex(k)}`));
  await engine.commit();
}

function expectedRange(keys: readonly Uint8Array[], from: Uint8Array, to: Uint8Array): string[] {
  return keys
    .map(hex)
    .filter((k) => k >= hex(from) && k < hex(to))
    .sort();
}

export function runEngineCompliance(name: string, open: Open, reopen?: Reopen): void {
  describe(`storage engine compliance: ${name}`, () => {
    registerPointTests(open);
    registerRangeTests(open);
    registerCommitTests(open);
    registerScaleTests(open);
    if (reopen !== undefined) registerDurabilityTests(open, reopen);
  });
}

function registerPointTests(open: Open): void {
  test('get of an absent key is undefined; stage is visible at once, before and after commit', () =>
    withEngine(open, async (e) => {
      assert.equal(e.get(text('a')), undefined);
      assert.equal(e.get(new Uint8Array(0)), undefined);
      assert.equal(e.hasStaged(), false);
      e.stage(text('a'), text('1'));
      assert.equal(e.hasStaged(), true);
      assert.equal(readText(e.get(text('a'))), '1');
      await e.commit();
      assert.equal(e.hasStaged(), false);
      assert.equal(readText(e.get(text('a'))), '1');
    }));

  test('digestOf, where an engine keeps digests: the one staged with the current value, never one of another value', (t) =>
    withEngine(open, async (e) => {
      if (e.digestOf === undefined) return t.skip('this engine keeps no digests');
      const digestOf = (k: string): string | undefined => {
        const d = e.digestOf!(text(k));
        return d === undefined ? undefined : hex(d);
      };
      const d = (n: number): Uint8Array => new Uint8Array(16).fill(n);
      e.stage(text('a'), text('1'), undefined, d(1));
      assert.equal(digestOf('a'), hex(d(1)), 'seen at once');
      await e.commit();
      assert.equal(digestOf('a'), hex(d(1)));
      e.stage(text('a'), text('2'), keyString(text('a')), d(2));
      e.stage(text('b'), text('1'));
      await e.commit();
      assert.equal(digestOf('a'), hex(d(2)), "the newest value's");
      assert.equal(digestOf('b'), undefined, 'staged without one');
      assert.equal(digestOf('none'), undefined);
      e.stage(text('a'), text('3'));
      assert.equal(digestOf('a'), undefined, 'a value staged without a digest hides the old one');
      await e.commit();
      assert.equal(digestOf('a'), undefined);
      e.stage(text('c'), text('1'), undefined, d(3));
      e.stage(text('e'), text('1'), undefined, new Uint8Array(4));
      assert.equal(digestOf('e'), undefined, 'only 16-byte digests are kept, staged or not');
      await e.commit();
      assert.equal(digestOf('e'), undefined, 'only 16-byte digests are kept');
      e.stage(text('c'), null);
      assert.equal(digestOf('c'), undefined, 'deleted');
      await e.commit();
      assert.equal(digestOf('c'), undefined);
      e.stage(text('f'), text('1'), undefined, d(4));
      await e.commit();
      e.digestOf(text('f'))!.fill(0);
      assert.equal(digestOf('f'), hex(d(4)), 'a copy is handed out');
    }));

  test('a key passed with its sort key (keyString) is the same key as without it', () =>
    withEngine(open, async (e) => {
      const key = new Uint8Array([0x01, 0xff, 0x00, 0x80, 0x41]);
      e.stage(key, text('1'), keyString(key));
      assert.equal(readText(e.get(key)), '1');
      assert.equal(readText(e.get(key, keyString(key))), '1');
      await e.commit();
      assert.equal(readText(e.get(Uint8Array.from(key), keyString(key))), '1');
      e.stage(Uint8Array.from(key), null);
      assert.equal(e.get(key, keyString(key)), undefined);
      await e.commit();
      assert.equal(e.get(key, keyString(key)), undefined);
      assert.deepEqual([...e.range(text(''), new Uint8Array([0xff]))], []);
    }));

  test('the newest write wins: staged over staged, staged over committed', () =>
    withEngine(open, async (e) => {
      e.stage(text('k'), text('1'));
      e.stage(text('k'), text('2'));
      assert.equal(readText(e.get(text('k'))), '2');
      await e.commit();
      e.stage(text('k'), text('3'));
      assert.equal(readText(e.get(text('k'))), '3');
      await e.commit();
      assert.equal(readText(e.get(text('k'))), '3');
    }));

  test('a staged delete hides the committed value; deleting an absent key is harmless', () =>
    withEngine(open, async (e) => {
      e.stage(text('k'), text('1'));
      await e.commit();
      e.stage(text('k'), null);
      e.stage(text('never'), null);
      assert.equal(e.get(text('k')), undefined);
      assert.equal(e.get(text('never')), undefined);
      await e.commit();
      assert.equal(e.get(text('k')), undefined);
      e.stage(text('k'), text('again'));
      assert.equal(readText(e.get(text('k'))), 'again');
      await e.commit();
      assert.equal(readText(e.get(text('k'))), 'again');
    }));

  test('an empty value is a value, not an absence', () =>
    withEngine(open, async (e) => {
      e.stage(text('empty'), new Uint8Array(0));
      assert.equal(e.get(text('empty'))?.length, 0);
      await e.commit();
      assert.equal(e.get(text('empty'))?.length, 0);
      assert.equal(e.count(text('a'), text('z')), 1);
    }));

  test('stage rejects an empty key and a key over MAX_KEY_BYTES; the largest key works', () =>
    withEngine(open, async (e) => {
      assert.throws(() => e.stage(new Uint8Array(0), text('x')), (err) => err instanceof StorageError && err.code === 'EMPTY_KEY');
      assert.throws(() => e.stage(new Uint8Array(MAX_KEY_BYTES + 1).fill(7), text('x')), (err) => err instanceof StorageError && err.code === 'KEY_TOO_LARGE');
      assert.equal(e.hasStaged(), false);
      const big = new Uint8Array(MAX_KEY_BYTES).fill(0xff);
      e.stage(big, text('big'));
      await e.commit();
      assert.equal(readText(e.get(big)), 'big');
      assert.equal(e.count(b(0xfe), b(0xff, 0xff, 0xff)), 0, 'the longest key sorts after its prefixes');
    }));

  test('keys given as subarrays of a larger buffer address only their own bytes', () =>
    withEngine(open, async (e) => {
      const backing = Uint8Array.from([9, 1, 2, 3, 9]);
      e.stage(backing.subarray(1, 4), text('mid'));
      await e.commit();
      assert.equal(readText(e.get(b(1, 2, 3))), 'mid');
      assert.equal(e.get(b(9, 1, 2, 3, 9)), undefined);
    }));
}

function registerRangeTests(open: Open): void {
  test('range walks [from, to) in byte order with 0x00, 0xff and prefix keys', () =>
    withEngine(open, async (e) => {
      await stageAndCommit(e, [...BINARY_KEYS].reverse());
      const bounds: Array<[Uint8Array, Uint8Array]> = [
        [new Uint8Array(0), b(0xff, 0xff, 0xff, 0xff)],
        [b(0x00), b(0x01)],
        [b(0x00, 0x00), b(0x00, 0xff)],
        [b(0x00, 0x01), b(0x01, 0x00)],
        [b(0x01), b(0xff)],
        [b(0x7f), b(0x80, 0x00)],
        [b(0xff), b(0xff, 0xff, 0xff)],
        [b(0xff, 0xff, 0xff), b(0xff, 0xff, 0xff, 0x00)],
      ];
      for (const [from, to] of bounds) {
        const want = expectedRange(BINARY_KEYS, from, to);
        assert.deepEqual(keysOf(e.range(from, to)), want, `[${hex(from)}, ${hex(to)})`);
        assert.deepEqual(keysOf(e.range(from, to, { reverse: true })), [...want].reverse(), `reverse [${hex(from)}, ${hex(to)})`);
        assert.equal(e.count(from, to), want.length, `count [${hex(from)}, ${hex(to)})`);
      }
      assert.deepEqual(keysOf(e.range(b(0x01), b(0x01))), [], 'from == to is empty');
      assert.deepEqual(keysOf(e.range(b(0x80), b(0x01))), [], 'from > to is empty');
      assert.equal(e.count(b(0x80), b(0x01)), 0);
      const tooLong = new Uint8Array(MAX_KEY_BYTES + 1).fill(0xff);
      assert.throws(() => e.range(b(0x00), tooLong), (err) => err instanceof StorageError && err.code === 'KEY_TOO_LARGE');
      assert.throws(() => e.count(b(0x00), tooLong), (err) => err instanceof StorageError && err.code === 'KEY_TOO_LARGE');
    }));

  test('range merges staged writes over committed state, in both directions', () =>
    withEngine(open, async (e) => {
      await stageAndCommit(e, [text('a'), text('b'), text('c'), text('d')]);
      e.stage(text('b'), text('B'));
      e.stage(text('c'), null);
      e.stage(text('a0'), text('A0'));
      e.stage(text('e'), text('E'));
      e.stage(text('zz'), null);
      const want = ['61=v61', '6130=A0', '62=B', '64=v64', '65=E'];
      assert.deepEqual(pairsOf(e.range(text('a'), text('z'))), want);
      assert.deepEqual(pairsOf(e.range(text('a'), text('z'), { reverse: true })), [...want].reverse());
      assert.deepEqual(pairsOf(e.range(text('b'), text('e'))), ['62=B', '64=v64']);
      assert.equal(e.count(text('a'), text('z')), 5);
      await e.commit();
      assert.deepEqual(pairsOf(e.range(text('a'), text('z'))), want);
      assert.equal(e.count(text('a'), text('z')), 5);
    }));

  test('limit counts merged entries (staged deletes use none of it) and works with reverse', () =>
    withEngine(open, async (e) => {
      await stageAndCommit(e, [text('a'), text('b'), text('c'), text('d'), text('e')]);
      e.stage(text('a'), null);
      e.stage(text('b'), null);
      e.stage(text('bb'), text('new'));
      assert.deepEqual(keysOf(e.range(text('a'), text('z'), { limit: 2 })), [hex(text('bb')), hex(text('c'))]);
      assert.deepEqual(keysOf(e.range(text('a'), text('z'), { limit: 2, reverse: true })), [hex(text('e')), hex(text('d'))]);
      assert.deepEqual(keysOf(e.range(text('a'), text('z'), { limit: 0 })), []);
      assert.deepEqual(keysOf(e.range(text('a'), text('z'), { limit: 100 })).length, 4);
      await e.commit();
      assert.deepEqual(keysOf(e.range(text('a'), text('z'), { limit: 1, reverse: true })), [hex(text('e'))]);
      assert.deepEqual(keysOf(e.range(text('c'), text('z'), { limit: 2 })), [hex(text('c')), hex(text('d'))]);
    }));

  test('count includes staged puts of new keys and excludes staged deletes of present ones', () =>
    withEngine(open, async (e) => {
      await stageAndCommit(e, [text('a'), text('b'), text('c')]);
      assert.equal(e.count(text('a'), text('z')), 3);
      e.stage(text('a'), text('overwrite'));
      e.stage(text('b'), null);
      e.stage(text('x'), null);
      e.stage(text('d'), text('new'));
      assert.equal(e.count(text('a'), text('z')), 3);
      assert.equal(e.count(text('b'), text('c')), 0);
      assert.equal(e.count(text('d'), text('e')), 1);
    }));

  test('a range iterator fails loudly when used after a write', () =>
    withEngine(open, async (e) => {
      await stageAndCommit(e, [text('a'), text('b'), text('c')]);
      const it = e.range(text('a'), text('z'));
      assert.equal(hex(it.next().value!.key), hex(text('a')));
      e.stage(text('bb'), text('x'));
      assert.throws(() => it.next(), AssertionError);
      const early = [];
      for (const entry of e.range(text('a'), text('z'))) {
        early.push(entry);
        if (early.length === 2) break;
      }
      await e.commit();
      assert.equal(e.count(text('a'), text('z')), 4);
    }));

  test('a range is iterable once, with for..of', () =>
    withEngine(open, async (e) => {
      await stageAndCommit(e, [text('a'), text('b')]);
      const it = e.range(text('a'), text('z'));
      assert.equal([...it].length, 2);
      assert.equal([...it].length, 0);
    }));
}

function registerCommitTests(open: Open): void {
  test('an empty commit resolves at once', () =>
    withEngine(open, async (e) => {
      await e.commit();
      await Promise.all([e.commit(), e.commit()]);
      assert.equal(e.hasStaged(), false);
    }));

  test('commits apply and resolve in call order', () =>
    withEngine(open, async (e) => {
      const order: number[] = [];
      e.stage(text('k'), text('1'));
      const first = e.commit().then(() => order.push(1));
      e.stage(text('k'), text('2'));
      e.stage(text('other'), text('o'));
      const second = e.commit().then(() => order.push(2));
      assert.equal(readText(e.get(text('k'))), '2');
      await Promise.all([first, second]);
      assert.deepEqual(order, [1, 2]);
      assert.equal(readText(e.get(text('k'))), '2');
      assert.equal(readText(e.get(text('other'))), 'o');
    }));

  test('after close every call fails with CLOSED and close is idempotent', async () => {
    const e = await open();
    await e.close();
    await e.close();
    assert.throws(() => e.get(text('a')), (err) => err instanceof StorageError && err.code === 'CLOSED');
    assert.throws(() => e.stage(text('a'), text('1')), (err) => err instanceof StorageError && err.code === 'CLOSED');
    await assert.rejects(e.commit(), (err) => err instanceof StorageError && err.code === 'CLOSED');
  });
}

function registerScaleTests(open: Open): void {
  test('a 1 MiB value round-trips, staged and committed', () =>
    withEngine(open, async (e) => {
      const big = randomBytes(1024 * 1024);
      e.stage(text('big'), big);
      assert.equal(hex(e.get(text('big'))!), big.toString('hex'));
      await e.commit();
      assert.equal(hex(e.get(text('big'))!), big.toString('hex'));
      const [entry] = [...e.range(text('big'), text('bih'))];
      assert.equal(entry?.value.length, big.length);
    }));

  test('50k keys commit in one transaction and read back quickly', (t) =>
    withEngine(open, async (e) => {
      const startMs = performance.now();
      const key = (i: number): Uint8Array => b(0x10, i >>> 16, (i >>> 8) & 0xff, i & 0xff);
      const n = 50_000;
      for (let i = n - 1; i >= 0; i -= 2) e.stage(key(i), text(String(i)));
      for (let i = 0; i < n; i += 2) e.stage(key(i), text(String(i)));
      await e.commit();
      assert.equal(e.count(b(0x10), b(0x11)), n);
      for (let i = 0; i < n; i += 997) assert.equal(readText(e.get(key(i))), String(i));
      let previous = -1;
      for (const { key: k } of e.range(b(0x10), b(0x11))) {
        const i = (k[1]! << 16) | (k[2]! << 8) | k[3]!;
        assert.equal(i, previous + 1);
        previous = i;
      }
      assert.equal(previous, n - 1);
      const elapsedMs = performance.now() - startMs;
      t.diagnostic(`${e.name}: 50k keys staged, committed, counted and scanned in ${elapsedMs.toFixed(0)} ms`);
      assert.ok(elapsedMs < 10_000, `50k keys took ${elapsedMs} ms`);
    }));

  test('agrees with a simple Map model over random operation sequences', () =>
    withEngine(open, async (e) => {
      await checkAgainstModel(e, 60);
    }));
}

function registerDurabilityTests(open: Open, reopen: Reopen): void {
  test('committed writes and deletes survive close and reopen', async () => {
    const e = await open();
    await stageAndCommit(e, BINARY_KEYS);
    e.stage(b(0x80), null);
    await e.commit();
    await e.close();
    const again = await reopen(e);
    try {
      const want = BINARY_KEYS.map(hex).filter((k) => k !== '80').sort();
      assert.deepEqual(keysOf(again.range(new Uint8Array(0), b(0xff, 0xff, 0xff, 0xff))), want);
      assert.equal(readText(again.get(b(0x00, 0xff))), 'v00ff');
    } finally {
      await again.close();
    }
  });

  test('writes only staged are committed by close and survive reopen', async () => {
    const e = await open();
    e.stage(text('staged'), text('by close'));
    e.stage(text('big'), new Uint8Array(1024 * 1024).fill(5));
    await e.close();
    const again = await reopen(e);
    try {
      assert.equal(readText(again.get(text('staged'))), 'by close');
      assert.equal(again.get(text('big'))?.length, 1024 * 1024);
      assert.equal(again.hasStaged(), false);
    } finally {
      await again.close();
    }
  });
}
