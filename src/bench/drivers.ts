/**
 * How the benchmark talks to the cluster: natively (the partition-aware Client over the binary
 * protocol) or over HTTP (keep-alive connections, nodes used in turn; http-load.ts). Both remember the last
 * context seen for each record and send it with the next update, as an application would, when
 * the run has updates: in a read-only run, holding 100 000 contexts that nothing uses only makes
 * the load generator's young-generation collections longer (each read's context survives one),
 * and those pauses show in the latencies it measures.
 */
import { Client, type Context } from '../client/index.js';
import type { ClientSecurity } from '../protocol/client-auth-frame.js';
import { basicAuthorization } from '../security/https-fetch.js';
import { encodeRequest, HttpPool } from './http-load.js';

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
  /** Remember each record's last context for the updates that follow (false: the run has none). */
  readonly keepContexts?: boolean | undefined;
  /** A secure cluster: the CA to trust and the user to be (`--ca-cert`, `--user`, `--password-file`). */
  readonly security?: ClientSecurity | undefined;
}

export async function nativeDriver(options: DriverOptions): Promise<Driver> {
  const client = await Client.connect({ nodes: options.nodes, connectionsPerNode: options.connectionsPerNode ?? 1, ...options.security });
  const contexts: (Context | undefined)[] = new Array<Context | undefined>(options.records);
  const readOptions = options.r === undefined ? {} : { r: options.r };
  const { bucket, w } = options;
  const keep = options.keepContexts !== false;
  // `then` rather than async functions: the load generator's CPU is taken from the nodes it measures.
  return {
    read(index, key) {
      return client.get(bucket, key, readOptions).then((result) => {
        if (keep) contexts[index] = result.context;
      });
    },
    update(index, key, value) {
      const context = contexts[index];
      const writeOptions = w === undefined ? (context === undefined ? {} : { context }) : context === undefined ? { w } : { context, w };
      return client.put(bucket, key, value, writeOptions).then((written) => {
        if (keep) contexts[index] = written;
      });
    },
    close: () => client.close(),
  };
}

const CONTEXT_HEADER = 'x-dynamo-context';

export async function httpDriver(options: DriverOptions): Promise<Driver> {
  const targets = options.nodes.map((n) => new URL(/^https?:\/\//.test(n) ? n : `http://${n}`));
  const connections = Math.max(1, Math.ceil(options.concurrency / targets.length));
  const tls = options.security?.tls;
  const pools = targets.map((t) => ({ host: t.host, pool: new HttpPool(t.hostname, Number(t.port || (t.protocol === 'https:' ? 443 : 80)), connections, t.protocol === 'https:' ? (tls ?? {}) : undefined) }));
  const contexts: (string | undefined)[] = new Array<string | undefined>(options.records);
  const prefix = `/kv/${encodeURIComponent(options.bucket)}/`;
  const readQuery = options.r === undefined ? '' : `?r=${options.r}`;
  const writeQuery = options.w === undefined ? '' : `?w=${options.w}`;
  const auth = options.security?.auth;
  const none: readonly (readonly [string, string])[] = auth === undefined ? [] : [['authorization', basicAuthorization(auth)]];
  let turn = 0;
  const next = (): { host: string; pool: HttpPool } => pools[turn++ % pools.length]!;
  const keep = options.keepContexts !== false;
  return {
    read(index, key) {
      const { host, pool } = next();
      return pool.request(encodeRequest('GET', host, `${prefix}${encodeURIComponent(key)}${readQuery}`, none, null)).then((res) => {
        if (res.status !== 200 && res.status !== 300 && res.status !== 404) throw new Error(`GET answered ${res.status}`);
        if (keep) contexts[index] = res.context;
      });
    },
    update(index, key, value) {
      const { host, pool } = next();
      const context = contexts[index];
      const headers = context === undefined ? none : [...none, [CONTEXT_HEADER, context] as const];
      return pool.request(encodeRequest('PUT', host, `${prefix}${encodeURIComponent(key)}${writeQuery}`, headers, value)).then((res) => {
        if (res.status !== 204) throw new Error(`PUT answered ${res.status}`);
        if (keep) contexts[index] = res.context;
      });
    },
    close() {
      for (const { pool } of pools) pool.close();
      return Promise.resolve();
    },
  };
}
