/**
 * How the nemesis's cart clients reach the cluster: over HTTP to the node each operation picked,
 * or through the package's TypeScript client over the binary protocol, which routes by itself
 * (writes to a replica of the key, reads coordinated by the client from R replicas' copies), so
 * the checker judges the paths applications use too. Failures are values, with the same
 * three-valued outcome: a write that may have been applied is `unknown`.
 */
import { Client, Context, DynamoError } from '../client/index.js';
import type { HttpAccess } from './access.js';
import { httpGet, httpWrite, type ReadResult, type RequestOptions, type WriteResult } from './http-client.js';
import type { NodeProcesses } from './processes.js';

export type CartProtocol = 'http' | 'native';

export interface CartTransport {
  /** `node`: the node the operation picked (the native client chooses its own). */
  get(node: number, bucket: string, key: string, o: RequestOptions): Promise<ReadResult>;
  /** `after`: the read this write follows (its context), or null. */
  write(node: number, bucket: string, key: string, value: Uint8Array | null, after: ReadResult | null, o: RequestOptions): Promise<WriteResult>;
  close(): Promise<void>;
}

/** `access`: how the clients authenticate (on a secure run, as a readwrite user: security.ts). */
export async function cartTransport(protocol: CartProtocol, nodes: NodeProcesses, access: HttpAccess): Promise<CartTransport> {
  return protocol === 'http' ? new HttpTransport(nodes, access) : NativeTransport.connect(nodes, access);
}

class HttpTransport implements CartTransport {
  constructor(
    private readonly nodes: NodeProcesses,
    private readonly access: HttpAccess,
  ) {}

  get(node: number, bucket: string, key: string, o: RequestOptions): Promise<ReadResult> {
    return httpGet(this.nodes.url(node), bucket, key, o, this.access);
  }

  write(node: number, bucket: string, key: string, value: Uint8Array | null, after: ReadResult | null, o: RequestOptions): Promise<WriteResult> {
    return httpWrite(this.nodes.url(node), bucket, key, value, after?.ok === true ? after.context : '', o, this.access);
  }

  async close(): Promise<void> {}
}

/** Errors after which nothing was written; any other failure may have reached replicas. */
const SURELY_NOT_WRITTEN = new Set(['bad_request', 'too_large', 'too_many_siblings']);

class NativeTransport implements CartTransport {
  /** The Context object behind each read this transport returned, so a write keeps its replica hint. */
  private readonly contexts = new WeakMap<ReadResult, Context>();

  private constructor(private readonly client: Client) {}

  static async connect(nodes: NodeProcesses, access: HttpAccess): Promise<NativeTransport> {
    const urls = nodes.specs.map((s) => nodes.url(s.index));
    const security = access.kind === 'secure' ? { tls: { ca: access.ca }, auth: access.auth } : {};
    return new NativeTransport(await Client.connect({ nodes: urls, ringRefreshMs: 1000, ...security }));
  }

  async get(_node: number, bucket: string, key: string, o: RequestOptions): Promise<ReadResult> {
    try {
      const read = await this.client.get(bucket, key, { r: o.r, strict: o.strict, timeoutMs: o.timeoutMs, resolve: false });
      const result: ReadResult = { ok: true, values: read.siblings.map((s) => ({ data: s.value, timestampMs: s.timestampMs })), context: read.context.toString(), tombstone: read.deleted };
      this.contexts.set(result, read.context);
      return result;
    } catch (err) {
      return { ok: false, error: describe(err) };
    }
  }

  async write(_node: number, bucket: string, key: string, value: Uint8Array | null, after: ReadResult | null, o: RequestOptions): Promise<WriteResult> {
    const context = after === null ? undefined : this.contexts.get(after);
    const options = { context: context ?? (after?.ok === true ? after.context : ''), w: o.w, strict: o.strict, timeoutMs: o.timeoutMs };
    try {
      const written = value === null ? await this.client.delete(bucket, key, options) : await this.client.put(bucket, key, value, options);
      return { ok: true, context: written.toString() };
    } catch (err) {
      const sure = err instanceof DynamoError && SURELY_NOT_WRITTEN.has(err.code);
      return { ok: false, outcome: sure ? 'failed' : 'unknown', error: describe(err) };
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }

}

function describe(err: unknown): string {
  return err instanceof DynamoError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
}
