/** `dynamo join` and `dynamo leave`: operator membership changes through a node's admin API. */
import { Command } from 'commander';
import { nodeFetch } from './client-auth.js';
import { addressList, nodeUrl } from './options.js';

async function post(url: string, body?: unknown): Promise<void> {
  let res: Response;
  try {
    // application/json even without a body: admin POSTs refuse other types (a cross-site form could send them).
    res = await nodeFetch(url, { method: 'POST', body: JSON.stringify(body ?? {}), headers: { 'content-type': 'application/json' }, timeoutMs: 10_000 });
  } catch (err) {
    console.error(`cannot reach ${url}: ${(err as Error).message}`);
    process.exit(2);
  }
  const text = await res.text();
  if (!res.ok) {
    console.error(`${res.status} ${text}`);
    process.exit(1);
  }
  console.log((JSON.parse(text) as { status: string }).status);
}

export function membershipCommands(): Command[] {
  const join = new Command('join')
    .description('make a node that is not in a cluster yet join one through a seed')
    .requiredOption('--node <url>', 'the joining node, e.g. http://127.0.0.1:7104', nodeUrl)
    .requiredOption('--seed <host:port>', "peer address of any member", (v: string) => addressList(v)[0]!)
    .action(async (flags: { node: string; seed: string }) => post(`${flags.node}/admin/join`, { seed: flags.seed }));
  const leave = new Command('leave')
    .description('decommission a node: it hands all its partitions and hints over, reports "left" and exits')
    .requiredOption('--node <url>', 'the node that leaves', nodeUrl)
    .action(async (flags: { node: string }) => post(`${flags.node}/admin/leave`));
  return [join, leave];
}
