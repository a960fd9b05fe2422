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
import { parseSimArgs, seedOptions, type SimFlags as Flags } from './cli-options.js';
import { GOSSIP_DEFAULTS, runGossipScale } from './gossip-scale.js';
import { failureReport, seedSummary } from './report.js';
import { runSeed } from './run.js';

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
  const flags = parseSimArgs(argv);
  if (flags.scenario === 'gossip') return runGossip(flags);
  if (flags.seeds !== undefined) return runMany(flags, flags.seeds);
  return runOne(flags, flags.seed ?? 1);
}

process.exitCode = main(process.argv.slice(2));
