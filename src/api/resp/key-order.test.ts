import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KeyOrder, type Access } from './key-order.js';

const conflict = (a: Access, b: Access): boolean => (a.write || b.write) && a.keys.some((k) => b.keys.includes(k));

const access = fc.record({ keys: fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 1, maxLength: 3 }), write: fc.boolean() });

test('law: conflicting commands never run together and start in command order; all of them finish', () => {
  fc.assert(
    fc.property(fc.array(access, { minLength: 1, maxLength: 40 }), fc.array(fc.nat(), { maxLength: 200 }), fc.array(fc.boolean(), { maxLength: 40 }), (accesses, picks, sync) => {
      const order = new KeyOrder();
      const running = new Map<number, () => void>();
      const startedAt: number[] = [];
      let finishedCount = 0;
      const onStart = (i: number, finished: () => void): void => {
        for (const j of running.keys()) assert.ok(!conflict(accesses[i]!, accesses[j]!), `${i} runs with conflicting ${j}`);
        for (let j = 0; j < i; j++) if (conflict(accesses[i]!, accesses[j]!)) assert.ok(startedAt.includes(j), `${i} started before earlier conflicting ${j}`);
        startedAt.push(i);
        const finish = (): void => {
          running.delete(i);
          finishedCount++;
          finished();
        };
        if (sync[i]) finish(); // a command answered at once (an error, a refused key)
        else running.set(i, finish);
      };
      accesses.forEach((a, i) => {
        order.submit(a, (finished) => onStart(i, finished));
        const pick = picks[i];
        if (pick !== undefined && running.size > 0) [...running.values()][pick % running.size]!();
      });
      for (const pick of picks) if (running.size > 0) [...running.values()][pick % running.size]!();
      while (running.size > 0) [...running.values()][0]!();
      assert.equal(finishedCount, accesses.length);
      assert.equal(order.size, 0);
    }),
    { numRuns: 500 },
  );
});

test('reads of one key, and writes of different keys, run together', () => {
  const order = new KeyOrder();
  let started = 0;
  order.submit({ keys: ['k'], write: false }, () => started++);
  order.submit({ keys: ['k'], write: false }, () => started++);
  order.submit({ keys: ['x'], write: true }, () => started++);
  order.submit({ keys: ['y'], write: true }, () => started++);
  assert.equal(started, 4);
  order.submit({ keys: ['k'], write: true }, () => started++);
  assert.equal(started, 4, 'a write of k waits for the reads of k before it');
});
