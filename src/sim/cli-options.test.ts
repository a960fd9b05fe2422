/**
 * The replay line a failing seed prints runs as printed: parsed by the simulator's own options it
 * gives back the very run (a property over every option), and a failing seed's printed command,
 * run through the shell, fails again with the same trace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { BUGS, parseSimArgs, seedOptions, simProgram } from './cli-options.js';
import { PROFILE_NAMES } from './fault-profiles.js';
import { replayCommand } from './report.js';
import { WORKLOADS } from './workloads.js';
import { SEED_DEFAULTS, type SeedOptions } from './run.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PREFIX = 'npm run sim -- ';

function parseReplay(command: string): SeedOptions {
  assert.ok(command.startsWith(PREFIX), command);
  const program = simProgram().exitOverride();
  const flags = parseSimArgs(command.slice(PREFIX.length).split(' '), program);
  assert.ok(flags.seed !== undefined, 'the replay names its seed');
  return seedOptions(flags, flags.seed);
}

const options = fc.record({
  seed: fc.nat({ max: 1_000_000 }),
  nodes: fc.integer({ min: 3, max: 9 }),
  durationMs: fc.constantFrom(SEED_DEFAULTS.durationMs, 5_000, 60_000, 90_000),
  faults: fc.constantFrom(...PROFILE_NAMES),
  scenario: fc.constantFrom('cart' as const, 'crash-restart' as const),
  workload: fc.constantFrom(...WORKLOADS),
  membership: fc.boolean(),
  buggify: fc.subarray([...BUGS]).map((on) => Object.fromEntries(on.map((name) => [name, true]))),
  repairPass: fc.boolean(),
  clients: fc.integer({ min: 1, max: 12 }),
});

test('a printed replay parses back to the same seed options, whatever they are', () => {
  fc.assert(
    fc.property(options, (o) => {
      const run: SeedOptions = { ...SEED_DEFAULTS, ...o };
      assert.deepEqual(parseReplay(replayCommand(run)), run, replayCommand(run));
    }),
    { numRuns: 300 },
  );
});

test('membership is printed only against its default: on, except with --faults none', () => {
  assert.equal(replayCommand({ ...SEED_DEFAULTS, seed: 9, membership: true }), 'npm run sim -- --seed 9');
  assert.equal(replayCommand({ ...SEED_DEFAULTS, seed: 9, membership: false }), 'npm run sim -- --seed 9 --no-membership');
  assert.equal(replayCommand({ ...SEED_DEFAULTS, seed: 9, faults: 'none', membership: false }), 'npm run sim -- --seed 9 --faults none');
  assert.equal(replayCommand({ ...SEED_DEFAULTS, seed: 9, faults: 'none', membership: true }), 'npm run sim -- --seed 9 --faults none --membership');
});

function sh(command: string): { status: number | null; out: string } {
  const r = spawnSync('sh', ['-c', command], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

test('a failing seed prints a replay line that runs as printed and fails the same way', () => {
  const first = sh('npm run -s sim -- --seed 3 --duration 10s --scenario crash-restart --buggify noHintedHandoff --no-membership');
  assert.equal(first.status, 1, first.out);
  const replay = /replay: (npm run sim -- .*)$/m.exec(first.out)?.[1];
  assert.ok(replay !== undefined, `a replay line:\n${first.out}`);
  assert.equal(replay, 'npm run sim -- --seed 3 --duration 10s --scenario crash-restart --no-membership --buggify noHintedHandoff');
  const again = sh(replay);
  assert.equal(again.status, 1, again.out);
  const hash = (out: string): string | undefined => /trace hash: ([0-9a-f]{64})/.exec(out)?.[1];
  assert.ok(hash(first.out) !== undefined);
  assert.equal(hash(again.out), hash(first.out), 'the replay runs the same trace');
});
