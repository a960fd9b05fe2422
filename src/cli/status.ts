/** `dynamo status --node URL`: every member, its state, up/down as this node sees it, weight, ring share, hints. */
import { Command } from 'commander';
import { nodeFetch } from './client-auth.js';
import { nodeUrl } from './options.js';

export interface StatusView {
  node: string;
  cluster: { partitions: number; n: number; members: { id: string; address: string; state: string; up: boolean; weight: number; partitions: number }[] } | null;
  hints: { pending: number; byTarget: Record<string, number> };
  transfers: { pending: number; inProgress: number; done: number };
  operationsInFlight: number;
}

export function statusCommand(): Command {
  return new Command('status')
    .description("print the cluster as one node sees it: members, states, up/down, weights, ring shares, pending hints and transfers")
    .requiredOption('--node <url>', 'any node, e.g. http://127.0.0.1:7101', nodeUrl)
    .option('--json', 'print the raw JSON')
    .action(async (flags: { node: string; json?: boolean }) => {
      let view: StatusView;
      try {
        const res = await nodeFetch(`${flags.node}/status`, { timeoutMs: 5000 });
        if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
        view = (await res.json()) as StatusView;
      } catch (err) {
        console.error(`cannot reach ${flags.node}: ${(err as Error).message}`);
        process.exit(2);
      }
      if (flags.json) {
        console.log(JSON.stringify(view, null, 2));
        return;
      }
      console.log(render(view));
    });
}

export function render(view: StatusView): string {
  if (view.cluster === null) return `${view.node}: not in a cluster yet (waiting for a seed)`;
  const c = view.cluster;
  const total = c.partitions * c.n;
  const rows = c.members.map((m) => [
    m.id + (m.id === view.node ? ' *' : ''),
    m.address,
    m.state,
    m.up ? 'up' : 'DOWN',
    `${m.weight}`,
    `${m.partitions}`,
    total > 0 ? `${((100 * m.partitions) / total).toFixed(1)}%` : '-',
    `${view.hints.byTarget[m.id] ?? 0}`,
  ]);
  const header = ['member', 'address', 'state', 'seen', 'weight', 'partitions', 'share', 'hints for it'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [
    `cluster seen from ${view.node}: Q=${c.partitions} partitions, N=${c.n} replicas each`,
    line(header),
    ...rows.map(line),
    `hints pending here: ${view.hints.pending}; transfers pending ${view.transfers.pending}, in progress ${view.transfers.inProgress}, done ${view.transfers.done}; operations in flight: ${view.operationsInFlight}`,
  ].join('\n');
}
