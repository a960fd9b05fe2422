/**
 * `node --import tsx src/netlab/main.ts --tag T [--nodes 5] [--phase-ms 5000]`: the lab run
 * (run.ts), inside the client namespace of a lab that test/e2e/netns.test.ts created. Prints log
 * lines, then one line `RESULT {json}`; exit status 0 when the checker passed, 1 otherwise.
 */
import { Command } from 'commander';
import { runLab } from './run.js';

const flags = new Command('netlab')
  .requiredOption('--tag <tag>', "the lab's tag (namespace names dyn-<tag>-...)")
  .option('--nodes <n>', 'nodes', (v) => Number(v), 5)
  .option('--phase-ms <ms>', 'length of each phase of the fault schedule', (v) => Number(v), 5000)
  .option('--clients <n>', 'cart clients', (v) => Number(v), 4)
  .option('--seed <n>', 'workload seed', (v) => Number(v), 1)
  .parse(process.argv)
  .opts<{ tag: string; nodes: number; phaseMs: number; clients: number; seed: number }>();

runLab({ ...flags, convergeBoundMs: 90_000, log: (line) => console.log(line) }).then(
  (result) => {
    console.log(`RESULT ${JSON.stringify(result)}`);
    process.exit(result.ok ? 0 : 1);
  },
  (err: unknown) => {
    console.log(`RESULT ${JSON.stringify({ ok: false, problems: [(err as Error).message], report: null, convergedAfterMs: null, operations: 0, faultLog: [] })}`);
    process.exit(1);
  },
);
