/**
 * The operator's partition table: every partition has its N primaries, each member's primary
 * count is its share of the ring, and every primary seen down gets at most one stand-in, a
 * healthy non-primary, nearest first in the preference list (as a sloppy-quorum write picks it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { admit, newCluster, type MemberSpec, type Membership } from '../core/membership/index.js';
import { assignmentOf } from '../core/membership/index.js';
import { Ring } from '../core/ring/index.js';
import { ringTable } from './ring-table.js';

const spec = (i: number): MemberSpec => ({ id: `n${i}`, address: `10.0.0.${i}:7000`, httpAddress: `10.0.0.${i}:7100`, clientAddress: null, weight: 1 });

function cluster(nodes: number, partitions: number): Membership {
  let m = newCluster(spec(1), partitions, 3);
  for (let i = 2; i <= nodes; i++) m = admit(m, spec(i), 'up');
  return m;
}

test('primaries are the owners; stand-ins are healthy, not primaries, one per down primary, nearest first', () => {
  fc.assert(
    fc.property(fc.integer({ min: 3, max: 7 }), fc.constantFrom(16, 32, 64), fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { maxLength: 3 }), (nodes, q, downList) => {
      const m = cluster(nodes, q);
      const down = new Set(downList.filter((d) => d <= nodes).map((d) => `n${d}`));
      const isUp = (id: string): boolean => !down.has(id);
      const t = ringTable(m, isUp);
      const ring = new Ring(assignmentOf(m));
      assert.equal(t.rows.length, q);
      for (const row of t.rows) {
        assert.deepEqual(row.primaries, [...ring.owners(row.partition)]);
        const downPrimaries = row.primaries.filter((p) => !isUp(p));
        assert.ok(row.fallbacks.length <= downPrimaries.length);
        const expected = ring.preferenceList(row.partition).slice(row.primaries.length).filter(isUp).slice(0, downPrimaries.length);
        assert.deepEqual(row.fallbacks.map(([s]) => s), expected);
        assert.deepEqual(row.fallbacks.map(([, o]) => o), downPrimaries.slice(0, expected.length));
      }
      for (const member of t.members) {
        assert.equal(member.primary, ring.replicaCount(member.id));
        assert.equal(member.up, isUp(member.id));
        assert.equal(member.fallback, t.rows.reduce((n, r) => n + r.fallbacks.filter(([s]) => s === member.id).length, 0));
      }
      assert.equal(t.members.reduce((n, x) => n + x.primary, 0), q * 3);
    }),
    { numRuns: 60 },
  );
});
