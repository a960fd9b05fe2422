/** `dynamo backup --node URL --out FILE`: a logical dump of the cluster, siblings and tombstones included (backup/backup.ts). */
import { Command } from 'commander';
import { runBackup } from '../backup/backup.js';
import { nodeUrl, positiveInt } from './options.js';
import { progressLine } from './progress.js';

export function backupCommand(): Command {
  return new Command('backup')
    .summary('write a logical dump of the cluster (siblings, contexts and tombstones kept)')
    .description(
      'write a logical dump of every key: its whole version set (siblings, causal context, tombstones), per partition, ' +
        'read from every replica that is up and merged, in blocks with a checksum each. Runs while the cluster serves, ' +
        'paced by --rate. With security on, set DYNAMO_USER and DYNAMO_PASSWORD (an admin user).',
    )
    .requiredOption('--node <url>', 'any node of the cluster, e.g. http://127.0.0.1:7101', nodeUrl)
    .requiredOption('--out <file>', 'the dump file to write')
    .option('--buckets <list>', 'only these buckets (comma-separated)')
    .option('--rate <keys>', 'read at most this many stored sets per second, over all replicas', positiveInt, 20000)
    .action(async (flags: { node: string; out: string; buckets?: string; rate: number }) => {
      const progress = progressLine();
      const startedMs = performance.now();
      const report = await runBackup({
        node: flags.node,
        out: flags.out,
        buckets: flags.buckets === undefined ? null : flags.buckets.split(',').filter((b) => b.length > 0),
        rateKeysPerSec: flags.rate,
        pageKeys: 500,
        progress: (p) => progress.update(`backup: partition ${p.partition}/${p.partitions}, ${p.keys} keys`),
        warn: (m) => {
          progress.done();
          console.error(`backup: ${m}`);
        },
      });
      progress.done();
      const seconds = ((performance.now() - startedMs) / 1000).toFixed(1);
      console.log(`backup: ${report.keys} keys from ${report.partitions} partitions in ${report.blocks} blocks written to ${flags.out} in ${seconds} s`);
      if (report.failedPartitions.length > 0) {
        console.error(`backup: INCOMPLETE: partitions ${report.failedPartitions.join(', ')} could not be read from any replica`);
        process.exitCode = 2;
      }
    });
}
