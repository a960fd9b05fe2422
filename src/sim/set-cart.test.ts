/**
 * The cart as a set bucket under faults, on many seeds, through the simulator's own set-cart and
 * expiring workloads (workloads.ts; `npm run sim -- --workload set-cart` runs the same seeds):
 * - no lost add: every acknowledged add of an element no remove ever read is present;
 * - no resurrected remove: an element whose remove was acknowledged, and whose add was
 *   acknowledged before that remove's read, is absent (elements are added once);
 * - full convergence: every primary holds the same set, and no read shows siblings;
 * - expiry under clock skew: no read returns a value past its expiry plus the skew bound.
 * A failure prints the seed's replay line; SET_CART_SEEDS sets how many seeds run (default 24).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSeed, violationLines, type SeedResult } from './run.js';
import { replayCommand } from './report.js';

const SEEDS = Number(process.env.SET_CART_SEEDS ?? 24);
const totals = { adds: 0, removes: 0 };

function check(r: SeedResult): void {
  assert.ok(r.ok, `${violationLines(r, 5).join('\n')}\nreplay: ${replayCommand(r.options)}`);
  totals.adds += r.report.counts.acknowledgedItems;
  totals.removes += r.report.counts.writesAcked - r.report.counts.acknowledgedItems;
}

test(`set-bucket carts under the default faults with joins and leaves (${SEEDS} seeds)`, () => {
  for (let seed = 1; seed <= SEEDS; seed++) check(runSeed({ seed, workload: 'set-cart', membership: true }));
});

test(`set-bucket carts under heavy faults (${Math.ceil(SEEDS / 2)} seeds)`, () => {
  for (let seed = 1; seed <= Math.ceil(SEEDS / 2); seed++) check(runSeed({ seed: 1000 + seed, faults: 'heavy', workload: 'set-cart', membership: true }));
  // The checks above must have had something to check.
  assert.ok(totals.adds > SEEDS * 50 && totals.removes > SEEDS * 20, `acknowledged adds ${totals.adds}, removes ${totals.removes}`);
  console.log(`# set carts: ${totals.adds} acknowledged adds and ${totals.removes} acknowledged removes checked`);
});

test('expiry under clock skew: no read returns a value past its expiry plus the skew bound', () => {
  for (let seed = 1; seed <= 6; seed++) {
    const r = runSeed({ seed: 500 + seed, workload: 'expiring', membership: true });
    assert.ok(r.ok, `${violationLines(r, 5).join('\n')}\nreplay: ${replayCommand(r.options)}`);
    assert.ok(r.expiring !== null && r.expiring.reads.some((x) => x.values.length > 0), `seed ${500 + seed}: some reads saw live values`);
    assert.ok(r.expiring.reads.some((x) => x.values.length === 0), `seed ${500 + seed}: some reads saw expired keys`);
  }
});
