/** `dynamo status`'s table: one row per member, with the weight it was admitted with beside its share. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render, type StatusView } from './status.js';

test('the status table shows each member with its weight, partitions and share', () => {
  const member = (id: string, weight: number, partitions: number, up = true) => ({ id, address: `${id}:7000`, state: 'up', up, weight, partitions });
  const view: StatusView = {
    node: 'n1',
    cluster: { partitions: 4, n: 2, members: [member('n1', 1, 3), member('n2', 2, 5, false)] },
    hints: { pending: 1, byTarget: { n2: 1 } },
    transfers: { pending: 0, inProgress: 0, done: 0 },
    operationsInFlight: 0,
  };
  const lines = render(view).split('\n');
  assert.match(lines[1]!, /^member\s+address\s+state\s+seen\s+weight\s+partitions\s+share\s+hints for it$/);
  assert.match(lines[2]!, /^n1 \*\s+n1:7000\s+up\s+up\s+1\s+3\s+37\.5%\s+0$/);
  assert.match(lines[3]!, /^n2\s+n2:7000\s+up\s+DOWN\s+2\s+5\s+62\.5%\s+1$/);
});
