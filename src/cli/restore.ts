/** `dynamo restore --node URL --in FILE`: merges a dump into a cluster of any size or ring shape (backup/restore.ts). */
import { Command } from 'commander';
import { runRestore } from '../backup/restore.js';
import { nodeUrl, positiveInt } from './options.js';
import { progressLine } from './progress.js';

export function restoreCommand(): Command {
  return new Command('restore')
    .summary('merge a dump into a cluster of any size or ring shape (idempotent)')
    .description(
      'merge a dump written by `dynamo backup` into a cluster of any size or ring shape: each version set goes to its ' +
        "key's current replicas and is merged as a replica write is, so a restored version never overwrites a newer one " +
        '(it becomes a sibling or is superseded) and restoring twice changes nothing. A corrupt block is reported with its ' +
        'byte offset and skipped; the rest is restored (exit code 2). The bucket properties in the dump are set on the target first (--no-bucket-props: not).',
    )
    .requiredOption('--node <url>', 'any node of the target cluster, e.g. http://127.0.0.1:7101', nodeUrl)
    .requiredOption('--in <file>', 'the dump file to read')
    .option('--w <n>', "acknowledgements needed per key (default: the bucket's w)", positiveInt)
    .option('--rate <keys>', 'restore at most this many keys per second', positiveInt, 20000)
    .option('--no-bucket-props', "keep the target's bucket properties instead of setting the dump's first")
    .action(async (flags: { node: string; in: string; w?: number; rate: number; bucketProps: boolean }) => {
      const progress = progressLine();
      const startedMs = performance.now();
      const report = await runRestore({
        node: flags.node,
        in: flags.in,
        w: flags.w ?? null,
        rateKeysPerSec: flags.rate,
        bucketProps: flags.bucketProps,
        progress: (p) => progress.update(`restore: ${p.blocks} blocks, ${p.keys} keys`),
        warn: (m) => {
          progress.done();
          console.error(`restore: ${m}`);
        },
      });
      progress.done();
      const seconds = ((performance.now() - startedMs) / 1000).toFixed(1);
      console.log(
        `restore: ${report.merged} keys merged from the backup of ${report.header.createdAt} (cluster ${report.header.cluster.members.join(',')}, ` +
          `Q=${report.header.cluster.partitions}) in ${seconds} s; ${report.failed} failed, ${report.corruptBlocks.length} corrupt blocks skipped; ${report.bucketsSet} bucket properties set`,
      );
      if (report.failed > 0 || report.corruptBlocks.length > 0 || !report.complete) process.exitCode = 2;
    });
}
