import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ReplyOrder } from './reply-order.js';

test('law: whatever order commands finish in, replies leave in command order, each once', () => {
  fc.assert(
    fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 300 }), (picks) => {
      const order = new ReplyOrder();
      const running: number[] = [];
      const out: string[] = [];
      let started = 0;
      for (const pick of picks) {
        // Start a command, or finish one of those running, as `pick` says.
        if (running.length === 0 || pick % 3 === 0) {
          running.push(order.open());
          started++;
        } else {
          const [seq] = running.splice(pick % running.length, 1);
          order.settle(seq!, Buffer.from(String(seq)), (r) => out.push(r.toString()));
        }
        assert.equal(order.unanswered, started - out.length);
      }
      for (const seq of running.reverse()) order.settle(seq, Buffer.from(String(seq)), (r) => out.push(r.toString()));
      assert.deepEqual(out, Array.from({ length: started }, (_, i) => String(i)));
      assert.equal(order.unanswered, 0);
    }),
  );
});

test('a connection that always has a command running keeps its window, not its history', () => {
  const order = new ReplyOrder();
  let previous = order.open();
  for (let i = 0; i < 10_000; i++) {
    const next = order.open();
    order.settle(previous, Buffer.from('+OK\r\n'), () => undefined);
    previous = next;
    assert.equal(order.unanswered, 1);
  }
  assert.ok(order.retained <= 1 + 1024, `holds ${order.retained} slots for 1 command running`);
});

test('answering a command twice is a programmer error', () => {
  const order = new ReplyOrder();
  const seq = order.open();
  order.open();
  order.settle(seq, Buffer.from('+OK\r\n'), () => undefined);
  assert.throws(() => order.settle(seq, Buffer.from('+OK\r\n'), () => undefined), /answered once/);
});
