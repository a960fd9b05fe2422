/**
 * `npm run sim`: the deterministic simulator from the command line.
 *
 *   npm run sim -- --seed 4242                 one seed, its summary and trace hash
 *   npm run sim -- --seeds 1000                seeds 1..1000, a line per failure, a summary
 *   npm run sim -- --nodes 1000 --scenario gossip   membership gossip and balance at scale
 *
 * Exit status 1 when any seed fails the checker. Only this file reads the wall clock, and only to
 * report how long the run took.
 */
import { createHash } from 'node:crypto';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Buggify } from '../node/config.js';
import { parseDuration } from './duration.js';
import { PROFILE_NAMES, type ProfileName } from './fault-profiles.js';
import { GOSSIP_DEFAULTS, runGossipScale } from './gossip-scale.js';
import { failureReport, seedSummary } from './report.js';
import { runSeed, SEED_DEFAULTS, type Scenario, type SeedOptions } from './run.js';

interface Flags {
  seed?: number;
  seeds?: number;
  firstSeed: number;
  nodes?: number;
  duration: number;
  faults: ProfileName;
  scenario: Scenario | 'gossip';
  clients: number;
  membership: boolean;
  buggify: Buggify;
  repairPass: boolean;
  partitions: number;
  gossipOnly: boolean;
  verbose: boolean;
}

function integer(raw: string): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

const BUGS = ['noHintedHandoff', 'firstReplyWins'] as const;

function parseBuggify(raw: string): Buggify {
  const out: Record<string, boolean> = {};
  for (const name of raw.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    if (!(BUGS as readonly string[]).includes(name)) throw new InvalidArgumentError(`unknown switch ${name} (known: ${BUGS.join(', ')})`);
    out[name] = true;
  }
  return out;
}

function seedOptions(flags: Flags, seed: number): SeedOptions {
  if (flags.scenario === 'gossip') throw new Error('unreachable');
  return {
    ...SEED_DEFAULTS,
    seed,
    nodes: flags.nodes ?? SEED_DEFAULTS.nodes,
    durationMs: flags.duration,
    faults: flags.faults,
    scenario: flags.scenario,
    clients: flags.clients,
    membership: flags.membership && flags.faults !== 'none',
    buggify: flags.buggify,
    repairPass: flags.repairPass,
  };
}

function runOne(flags: Flags, seed: number): number {
  const started = performance.now();
  const result = runSeed(seedOptions(flags, seed));
  for (const line of seedSummary(result)) console.log(line);
  if (!result.ok) for (const line of failureReport(result)) console.log(line);
  console.log(`${result.ok ? 'PASS' : 'FAIL'} seed ${seed} in ${((performance.now() - started) / 1000).toFixed(2)} s (real)`);
  return result.ok ? 0 : 1;
}

function runMany(flags: Flags, count: number): number {
  const started = performance.now();
  const all = createHash('sha256');
  let failed = 0;
  let operations = 0;
  let acknowledged = 0;
  let lost = 0;
  let repairs = 0;
  const converge: number[] = [];
  for (let seed = flags.firstSeed; seed < flags.firstSeed + count; seed++) {
    const result = runSeed(seedOptions(flags, seed));
    all.update(result.traceHash);
    operations += result.report.counts.operations;
    acknowledged += result.report.counts.writesAcked;
    lost += result.report.counts.lost;
    if (result.repair !== null) repairs++;
    if (result.convergedAfterMs !== null) converge.push(result.convergedAfterMs);
    if (flags.verbose) console.log(`seed ${seed}: ${result.ok ? 'pass' : 'FAIL'}, ${result.report.counts.operations} operations, converged after ${result.convergedAfterMs ?? 'never'} ms`);
    if (!result.ok) {
      failed++;
      for (const line of [...seedSummary(result), ...failureReport(result)]) console.log(line);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  converge.sort((a, b) => a - b);
  const pct = (q: number): string => (converge.length === 0 ? '-' : `${(converge[Math.min(converge.length - 1, Math.floor(q * converge.length))]! / 1000).toFixed(2)} s`);
  console.log(`seeds ${flags.firstSeed}..${flags.firstSeed + count - 1}: ${count - failed} seeds passed, ${failed} failed`);
  console.log(`  ${operations} operations, ${acknowledged} writes acknowledged, ${lost} lost; repair pass needed in ${repairs} seeds`);
  console.log(`  convergence after healing: median ${pct(0.5)}, p99 ${pct(0.99)}, max ${pct(1)}`);
  console.log(`  ${seconds.toFixed(1)} s real, ${(count / seconds).toFixed(2)} seeds/s`);
  console.log(`  trace hash (all seeds): ${all.digest('hex')}`);
  return failed === 0 ? 0 : 1;
}

function runGossip(flags: Flags): number {
  const started = performance.now();
  const r = runGossipScale({
    seed: flags.seed ?? 1,
    nodes: flags.nodes ?? GOSSIP_DEFAULTS.nodes,
    partitions: flags.partitions,
    gossipOnly: flags.gossipOnly,
  });
  const rounds = (ms: number | null): string => (ms === null ? 'never' : `${ms} ms = ${(ms / r.gossipIntervalMs).toFixed(2)} gossip rounds`);
  const b = r.balance;
  console.log(`gossip at scale: ${r.options.nodes} nodes + 1 joining, Q=${r.options.partitions}, N=${b.replicas}${r.options.gossipOnly ? ', joiner cut off from all but its seeds (gossip only)' : ''}`);
  console.log(`  every node knows the joiner after ${rounds(r.knownAfterMs)}`);
  if (!r.options.gossipOnly) console.log(`  every node holds the final membership (joiner up) after ${rounds(r.convergedAfterMs)}`);
  console.log(`  partition balance at ${b.nodes} nodes: max/mean ${b.ratio.toFixed(3)} (min ${b.min}, mean ${b.mean.toFixed(2)}, max ${b.max} partition-replicas per node)`);
  console.log(`  ${r.events} events, ${r.messages} messages, ${((performance.now() - started) / 1000).toFixed(1)} s real`);
  console.log(`  trace hash: ${r.traceHash}`);
  const ok = r.knownAfterMs !== null && (r.options.gossipOnly || r.convergedAfterMs !== null);
  return ok ? 0 : 1;
}

function main(argv: readonly string[]): number {
  const program = new Command('sim')
    .description('deterministic simulation of a dynamo cluster under faults, with the lost-write checker')
    .option('--seed <n>', 'run one seed', integer)
    .option('--seeds <count>', 'run this many seeds (from --first-seed)', integer)
    .option('--first-seed <n>', 'first seed of --seeds', integer, 1)
    .option('--nodes <n>', `nodes (default ${SEED_DEFAULTS.nodes}; ${GOSSIP_DEFAULTS.nodes} for --scenario gossip)`, integer)
    .option('--duration <time>', 'virtual time of load and faults, e.g. 20s, 2m', parseDuration, SEED_DEFAULTS.durationMs)
    .addOption(new Option('--faults <profile>', 'fault profile').choices(PROFILE_NAMES).default(SEED_DEFAULTS.faults))
    .addOption(new Option('--scenario <name>', 'cart: random faults; crash-restart: two nodes down, hints must repair them; gossip: scale').choices(['cart', 'crash-restart', 'gossip']).default('cart'))
    .option('--clients <n>', 'concurrent cart clients', integer, SEED_DEFAULTS.clients)
    .option('--no-membership', 'leave out joins and leaves (injected by default, except with --faults none)')
    .option('--buggify <switches>', `deliberately broken node behaviour: ${BUGS.join(', ')}`, parseBuggify, {})
    .option('--no-repair-pass', 'never run the explicit repair pass before the final check')
    .option('--partitions <q>', 'ring size for --scenario gossip', integer, GOSSIP_DEFAULTS.partitions)
    .option('--gossip-only', 'gossip scenario: cut the joiner off so the news spreads by gossip alone', false)
    .option('--verbose', 'a line per seed with --seeds', false)
    .parse(argv, { from: 'user' });
  const flags = program.opts<Flags>();
  if (flags.scenario === 'gossip') return runGossip(flags);
  if (flags.seeds !== undefined) return runMany(flags, flags.seeds);
  return runOne(flags, flags.seed ?? 1);
}

process.exitCode = main(process.argv.slice(2));
