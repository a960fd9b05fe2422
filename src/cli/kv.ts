/** `dynamo get|put|delete --node URL BUCKET KEY [VALUE]`: the HTTP API from the shell. */
import { Command } from 'commander';
import { nodeFetch, type NodeFetchInit } from './client-auth.js';
import { nodeUrl, positiveInt } from './options.js';

const CONTEXT = 'x-dynamo-context';

function kvUrl(node: string, bucket: string, key: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined));
  const qs = params.toString();
  return `${node}/kv/${encodeURIComponent(bucket)}/${encodeURIComponent(key)}${qs ? `?${qs}` : ''}`;
}

async function call(url: string, init: NodeFetchInit): Promise<Response> {
  try {
    return await nodeFetch(url, { ...init, timeoutMs: 10_000 });
  } catch (err) {
    console.error(`cannot reach ${url}: ${(err as Error).message}`);
    process.exit(2);
  }
}

async function failWith(res: Response): Promise<never> {
  console.error(`${res.status} ${await res.text()}`);
  process.exit(1);
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

interface Flags { node: string; r?: number; w?: number; strict?: boolean; context?: string }

export function kvCommands(): Command[] {
  const get = new Command('get')
    .description('read a key: prints the value (or every sibling) and the context on stderr')
    .requiredOption('--node <url>', 'any node', nodeUrl)
    .option('--r <r>', 'read quorum', positiveInt)
    .option('--strict', 'count primary replicas only; refuse without a majority of them (or R, if higher)')
    .argument('<bucket>').argument('<key>')
    .action(async (bucket: string, key: string, flags: Flags) => {
      const res = await call(kvUrl(flags.node, bucket, key, { r: flags.r?.toString(), strict: flags.strict ? 'true' : undefined }), {});
      const context = res.headers.get(CONTEXT);
      if (res.status === 404) {
        console.error('not found' + (context ? ` (context ${context})` : ''));
        process.exit(1);
      }
      if (res.status === 300) {
        const body = (await res.json()) as { siblings: { value: string }[] };
        console.log(`${body.siblings.length} siblings:`);
        for (const s of body.siblings) console.log('  ' + Buffer.from(s.value, 'base64').toString('utf8'));
      } else if (res.status === 200) {
        process.stdout.write(Buffer.from(await res.arrayBuffer()));
        if (process.stdout.isTTY) process.stdout.write('\n');
      } else {
        await failWith(res);
      }
      if (context) console.error(`context: ${context}`);
    });
  const put = new Command('put')
    .description('write a value (from the argument, or stdin when omitted)')
    .requiredOption('--node <url>', 'any node', nodeUrl)
    .option('--context <ctx>', 'context from an earlier read (supersedes what that read saw)')
    .option('--w <w>', 'write quorum', positiveInt)
    .option('--strict', 'count primary replicas only; refuse without a majority of them (or W, if higher)')
    .argument('<bucket>').argument('<key>').argument('[value]')
    .action(async (bucket: string, key: string, value: string | undefined, flags: Flags) => {
      const body = value === undefined ? await readStdin() : Buffer.from(value, 'utf8');
      const headers: Record<string, string> = flags.context ? { [CONTEXT]: flags.context } : {};
      const res = await call(kvUrl(flags.node, bucket, key, { w: flags.w?.toString(), strict: flags.strict ? 'true' : undefined }), { method: 'PUT', body, headers });
      if (res.status !== 204) await failWith(res);
      console.error(`stored; context: ${res.headers.get(CONTEXT)}`);
    });
  const del = new Command('delete')
    .description('delete a key (writes a tombstone)')
    .requiredOption('--node <url>', 'any node', nodeUrl)
    .option('--context <ctx>', 'context from an earlier read')
    .option('--w <w>', 'write quorum', positiveInt)
    .argument('<bucket>').argument('<key>')
    .action(async (bucket: string, key: string, flags: Flags) => {
      const headers: Record<string, string> = flags.context ? { [CONTEXT]: flags.context } : {};
      const res = await call(kvUrl(flags.node, bucket, key, { w: flags.w?.toString() }), { method: 'DELETE', headers });
      if (res.status !== 204) await failWith(res);
      console.error('deleted');
    });
  return [get, put, del];
}
