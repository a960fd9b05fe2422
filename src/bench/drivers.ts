/**
 * How the benchmark talks to the cluster: natively (the partition-aware Client over the binary
 * protocol) or over HTTP (keep-alive connections, nodes used in turn). Both remember the last
 * context seen for each record and send it with the next update, as an application would.
 */
import { Pool } from 'undici';
import { Client, type Context } from '../client/index.js';

export interface Driver {
  read(index: number, key: string): Promise<void>;
  update(index: number, key: string, value: Buffer): Promise<void>;
  close(): Promise<void>;
}

export interface DriverOptions {
  readonly nodes: readonly string[];
  readonly bucket: string;
  readonly records: number;
  readonly concurrency: number;
  readonly r?: number | undefined;
  readonly w?: number | undefined;
  readonly connectionsPerNode?: number | undefined;
}

export async function nativeDriver(options: DriverOptions): Promise<Driver> {
  const client = await Client.connect({ nodes: options.nodes, connectionsPerNode: options.connectionsPerNode ?? 1 });
  const contexts: (Context | undefined)[] = new Array<Context | undefined>(options.records);
  const readOptions = options.r === undefined ? {} : { r: options.r };
  const { bucket, w } = options;
  // `then` rather than async functions: the load generator's CPU is taken from the nodes it measures.
  return {
    read(index, key) {
      return client.get(bucket, key, readOptions).then((result) => {
        contexts[index] = result.context;
      });
    },
    update(index, key, value) {
      const context = contexts[index];
      const writeOptions = w === undefined ? (context === undefined ? {} : { context }) : context === undefined ? { w } : { context, w };
      return client.put(bucket, key, value, writeOptions).then((written) => {
        contexts[index] = written;
      });
    },
    close: () => client.close(),
  };
}

const CONTEXT_HEADER = 'x-dynamo-context';

export async function httpDriver(options: DriverOptions): Promise<Driver> {
  // undici rather than node:http's client: it costs the load generator about a third of the CPU
  // per request, and the load generator shares the machine's cores with the nodes it measures.
  const targets = options.nodes.map((n) => new URL(/^https?:\/\//.test(n) ? n : `http://${n}`));
  const connections = Math.max(1, Math.ceil(options.concurrency / targets.length));
  const pools = targets.map((t) => new Pool(t.origin, { connections, pipelining: 1 }));
  const contexts: (string | undefined)[] = new Array<string | undefined>(options.records);
  const prefix = `/kv/${encodeURIComponent(options.bucket)}/`;
  const readQuery = options.r === undefined ? '' : `?r=${options.r}`;
  const writeQuery = options.w === undefined ? '' : `?w=${options.w}`;
  let turn = 0;
  const send = async (method: 'GET' | 'PUT', path: string, headers: Record<string, string>, body?: Buffer): Promise<{ status: number; context: string | undefined }> => {
    const pool = pools[turn++ % pools.length]!;
    const res = await pool.request({ method, path, headers, body: body ?? null });
    await res.body.dump();
    const context = res.headers[CONTEXT_HEADER];
    return { status: res.statusCode, context: typeof context === 'string' ? context : undefined };
  };
  return {
    async read(index, key) {
      const res = await send('GET', `${prefix}${encodeURIComponent(key)}${readQuery}`, {});
      if (res.status !== 200 && res.status !== 300 && res.status !== 404) throw new Error(`GET answered ${res.status}`);
      contexts[index] = res.context;
    },
    async update(index, key, value) {
      const context = contexts[index];
      const headers: Record<string, string> = { 'content-length': String(value.length) };
      if (context !== undefined) headers[CONTEXT_HEADER] = context;
      const res = await send('PUT', `${prefix}${encodeURIComponent(key)}${writeQuery}`, headers, value);
      if (res.status !== 204) throw new Error(`PUT answered ${res.status}`);
      contexts[index] = res.context;
    },
    async close() {
      await Promise.all(pools.map((p) => p.close()));
    },
  };
}
