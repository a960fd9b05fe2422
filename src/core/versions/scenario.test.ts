/**
 * The shopping cart of the Dynamo paper (section 4.4, figure 3), on three coordinators Sx, Sy, Sz.
 * Every set goes through the storage codec and every context through the header codec, as they do
 * in the store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSiblingSet, encodeSiblingSet } from './codec.js';
import { decodeContext, encodeContext } from './context-codec.js';
import { resolveLww } from './lww.js';
import { context, fresh, isTombstone, liveValues, siblingCount, sync, update, withContext, type SiblingSet } from './sibling-set.js';
import { tombstone, version } from './value.js';
import type { NodeId } from '../ids.js';

type Cart = string[];

/** Three replicas of one key: each coordinator writes locally, replicas sync to catch up. */
class Cluster {
  private readonly stored = new Map<NodeId, Uint8Array>();
  private clockMs = 1_000;

  read(node: NodeId): { carts: Cart[]; header: string; deleted: boolean } {
    const s = this.load(node) ?? { entries: [], anonymous: [] };
    const carts = liveValues(s).map((v) => JSON.parse(Buffer.from(v.data!).toString()) as Cart);
    return { carts: carts.sort(), header: encodeContext(context(s)), deleted: isTombstone(s) };
  }

  write(node: NodeId, header: string | null, cart: Cart | null): string {
    this.clockMs += 10;
    const value = cart === null ? tombstone(this.clockMs) : version(Buffer.from(JSON.stringify(cart)), this.clockMs);
    const client = header === null ? fresh(value) : withContext(this.context(header), value);
    const next = update(client, this.load(node), node, this.clockMs);
    this.stored.set(node, encodeSiblingSet(next));
    return encodeContext(context(next));
  }

  replicate(from: NodeId, to: NodeId): void {
    const incoming = this.load(from);
    if (incoming === undefined) return;
    const local = this.load(to);
    this.stored.set(to, encodeSiblingSet(local === undefined ? incoming : sync(local, incoming)));
  }

  load(node: NodeId): SiblingSet | undefined {
    const bytes = this.stored.get(node);
    return bytes === undefined ? undefined : decodeSiblingSet(bytes);
  }

  private context(header: string) {
    const decoded = decodeContext(header);
    assert.ok(decoded.ok);
    return decoded.context;
  }
}

const merge = (carts: Cart[]): Cart => [...new Set(carts.flat())].sort();

test('the shopping cart of figure 3: D1..D5 through Sx, Sy and Sz', () => {
  const c = new Cluster();
  const d1 = c.write('Sx', null, ['book']); // D1 ([Sx,1])
  const d2 = c.write('Sx', d1, ['book', 'pen']); // D2 ([Sx,2]) supersedes D1
  assert.deepEqual(c.read('Sx').carts, [['book', 'pen']]);
  c.replicate('Sx', 'Sy');
  c.replicate('Sx', 'Sz');

  c.write('Sy', d2, ['book', 'pen', 'lamp']); // D3 ([Sx,2],[Sy,1])
  c.write('Sz', d2, ['book', 'pen', 'mug']); // D4 ([Sx,2],[Sz,1]), concurrent with D3
  assert.equal(c.read('Sy').carts.length, 1);
  c.replicate('Sy', 'Sx');
  c.replicate('Sz', 'Sx');
  const seen = c.read('Sx'); // the client sees D3 and D4 as siblings
  assert.deepEqual(seen.carts, [['book', 'pen', 'lamp'], ['book', 'pen', 'mug']]);
  assert.deepEqual(decodeContext(seen.header), { ok: true, context: [['Sx', 2], ['Sy', 1], ['Sz', 1]] });

  const d5 = c.write('Sx', seen.header, merge(seen.carts)); // D5 ([Sx,3],[Sy,1],[Sz,1])
  assert.deepEqual(decodeContext(d5), { ok: true, context: [['Sx', 3], ['Sy', 1], ['Sz', 1]] });
  for (const node of ['Sy', 'Sz']) c.replicate('Sx', node);
  for (const node of ['Sx', 'Sy', 'Sz']) assert.deepEqual(c.read(node).carts, [['book', 'lamp', 'mug', 'pen']]);
});

test('two shoppers adding through the same coordinator: both items survive, and the merge collapses them', () => {
  const c = new Cluster();
  const start = c.write('Sx', null, ['book']);
  c.replicate('Sx', 'Sy');
  c.write('Sx', start, ['book', 'lamp']); // Alice
  c.write('Sx', start, ['book', 'mug']); // Bob, same context, same coordinator: a sibling, not a loss
  const seen = c.read('Sx');
  assert.deepEqual(seen.carts, [['book', 'lamp'], ['book', 'mug']]);
  c.write('Sx', seen.header, merge(seen.carts));
  assert.equal(siblingCount(c.load('Sx')!), 1);
  c.replicate('Sx', 'Sy');
  assert.deepEqual(c.read('Sy').carts, [['book', 'lamp', 'mug']]);
});

test('a checkout deletes the cart; a replica that missed it cannot bring the cart back', () => {
  const c = new Cluster();
  const ctx = c.write('Sx', null, ['book']);
  c.replicate('Sx', 'Sz');
  const deleted = c.write('Sy', ctx, null);
  c.replicate('Sy', 'Sx');
  c.replicate('Sz', 'Sx'); // Sz still holds the old cart: its dot is covered, so it stays gone
  assert.deepEqual(c.read('Sx'), { carts: [], header: deleted, deleted: true });
  c.replicate('Sx', 'Sz');
  assert.equal(c.read('Sz').deleted, true);
  const blind = c.write('Sz', null, ['umbrella']); // a new cart with no context is a sibling of the tombstone
  assert.ok(blind.length > 0);
  const after = c.read('Sz');
  assert.deepEqual(after, { carts: [['umbrella']], header: after.header, deleted: false });
  assert.equal(siblingCount(c.load('Sz')!), 2);
  assert.equal(siblingCount(resolveLww(c.load('Sz')!)), 1);
});
