/** `dynamo ring --node URL`: the partition table in the terminal (node/ring-table.ts). */
import { Command } from 'commander';
import { adminJson } from '../backup/admin-http.js';
import type { RingTable } from '../node/ring-table.js';
import { nodeUrl } from './options.js';

export function ringCommand(): Command {
  return new Command('ring')
    .summary('print the partition table: primaries and fallbacks per member and per partition')
    .description(
      'print the partition table as one node sees it: per member the partitions it holds as a primary (one of the N owners) ' +
        'and as a fallback (standing in for a primary seen down), then per partition its primaries and stand-ins',
    )
    .requiredOption('--node <url>', 'any node, e.g. http://127.0.0.1:7101', nodeUrl)
    .option('--json', 'print the raw JSON')
    .option('--summary', 'only the per-member table')
    .action(async (flags: { node: string; json?: boolean; summary?: boolean }) => {
      const table = await adminJson<RingTable>(`${flags.node}/admin/ring-table`);
      console.log(flags.json ? JSON.stringify(table, null, 2) : renderRing(table, flags.summary === true));
    });
}

export function renderRing(t: RingTable, summaryOnly: boolean): string {
  const header = ['member', 'state', 'seen', 'primary', 'fallback', 'partitions (primary)'];
  const rows = t.members.map((m) => [
    m.id,
    m.state,
    m.up ? 'up' : 'DOWN',
    String(m.primary),
    String(m.fallback),
    ranges(t.rows.filter((r) => r.primaries.includes(m.id)).map((r) => r.partition)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [`Q=${t.partitions} partitions, N=${t.replicas} replicas each`, line(header), ...rows.map(line)];
  if (summaryOnly) return out.join('\n');
  out.push('', 'partition  primaries' + ' '.repeat(Math.max(0, t.replicas * 4 - 9)) + '  fallbacks (stand-in for down primary)');
  for (const r of t.rows) {
    const fallbacks = r.fallbacks.map(([s, o]) => `${s} for ${o}`).join(', ');
    out.push(`${String(r.partition).padStart(9)}  ${r.primaries.join(' ')}${fallbacks === '' ? '' : `  ${fallbacks}`}`);
  }
  return out.join('\n');
}

/** [0,1,2,5,7,8] as "0-2,5,7-8". */
export function ranges(list: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < list.length) {
    let j = i;
    while (j + 1 < list.length && list[j + 1] === list[j]! + 1) j++;
    parts.push(j === i ? String(list[i]) : `${list[i]}-${list[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
