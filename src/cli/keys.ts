/** `dynamo keys BUCKET --node URL`: streams every live key of a bucket, one a line, page by page. */
import { Command } from 'commander';
import { nodeUrl, positiveInt } from './options.js';

interface Flags {
  node: string;
  pageSize: number;
}

interface Page {
  keys: string[];
  cursor: string | null;
}

async function page(node: string, bucket: string, limit: number, cursor: string | null): Promise<Page> {
  const params = new URLSearchParams({ keys: 'true', limit: String(limit) });
  if (cursor !== null) params.set('cursor', cursor);
  const url = `${node}/kv/${encodeURIComponent(bucket)}?${params.toString()}`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    console.error(`cannot reach ${url}: ${(err as Error).message}`);
    process.exit(2);
  }
  if (res.status !== 200) {
    console.error(`${res.status} ${await res.text()}`);
    process.exit(1);
  }
  return (await res.json()) as Page;
}

export function keysCommand(): Command {
  return new Command('keys')
    .description("list a bucket's live keys cluster-wide, one per line (paged; the cursor survives node failures)")
    .requiredOption('--node <url>', 'any node', nodeUrl)
    .option('--page-size <n>', 'keys fetched per request (1 to 10000)', positiveInt, 1000)
    .argument('<bucket>')
    .action(async (bucket: string, flags: Flags) => {
      let cursor: string | null = null;
      do {
        const next = await page(flags.node, bucket, flags.pageSize, cursor);
        if (next.keys.length > 0) process.stdout.write(next.keys.join('\n') + '\n');
        cursor = next.cursor;
      } while (cursor !== null);
    });
}
