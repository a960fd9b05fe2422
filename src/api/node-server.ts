/**
 * One complete node process: storage engine, runtime (node + transport), HTTP API and metrics,
 * started in that order and stopped in the reverse order.
 */
import type { Server } from 'node:http';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { MemberSpec } from '../core/membership/index.js';
import type { NodeConfig } from '../node/config.js';
import { NODE_DEFAULTS } from '../node/config.js';
import { createLogger, type Logger } from '../runtime/logger.js';
import { NodeRuntime } from '../runtime/node-runtime.js';
import { NodeMetricsExporter } from '../runtime/prometheus.js';
import type { Durability, StorageEngine } from '../storage/engine.js';
import { openLmdbEngine } from '../storage/lmdb.js';
import { openLogEngine } from '../storage/log.js';
import { createMemoryEngine } from '../storage/memory.js';
import type { StorageKind } from '../storage/kinds.js';
import { startHttpApi } from './http-server.js';
import { startClientServer, type ClientServer } from './client-server.js';
import { metaKey } from '../node/keys.js';
import { Authenticator } from '../security/auth.js';
import { hashPassword } from '../security/passwords.js';
import type { TlsMaterial } from '../security/tls-files.js';
import { runtimeBackend } from './resp/backend.js';
import { startRespServer, type RespServer } from './resp/server.js';

export interface NodeServerOptions {
  readonly id: string;
  readonly host: string;
  readonly peerPort: number;
  readonly httpPort: number;
  /** Port of the binary client protocol; none when omitted. */
  readonly clientPort?: number;
  /** Port of the Redis protocol (RESP2); none when omitted. */
  readonly respPort?: number;
  /** Bucket of the keys sent over the RESP port (default "redis"). */
  readonly respBucket?: string;
  readonly dataDir: string;
  readonly seeds: readonly string[];
  readonly storage: StorageKind;
  readonly durability: Durability;
  /** Group commit window of the runtime (NodeRuntime's commitWindowMs; default 0). */
  readonly commitWindowMs?: number;
  readonly weight: number;
  readonly config?: Partial<Omit<NodeConfig, 'self' | 'actor' | 'seeds'>>;
  readonly logger?: Logger;
  /** Mutual TLS between nodes, HTTPS and TLS for clients, every client request authenticated. */
  readonly security?: NodeSecurity;
}

export interface NodeSecurity {
  readonly tls: TlsMaterial;
  /** transitional: peers may still be plain (rolling enablement); the client ports stay plain and open. */
  readonly mode: 'strict' | 'transitional';
  /** The password of `root` when this node founds the cluster (from --root-password-file). */
  readonly rootPassword?: string;
}

/**
 * A node that may found a cluster (it is among its seeds) with no users yet would found a secure
 * cluster nobody can log into: refuse, naming the flag.
 */
function checkFounding(options: NodeServerOptions, engine: StorageEngine): void {
  const security = options.security;
  if (security === undefined || security.rootPassword !== undefined) return;
  const mayFound = options.seeds.includes(`${options.host}:${options.peerPort}`);
  if (mayFound && engine.get(metaKey('users')) === undefined) {
    throw new Error('founding a secure cluster needs --root-password-file FILE (the password of the admin user root)');
  }
}

export interface NodeServer {
  readonly runtime: NodeRuntime;
  readonly logger: Logger;
  stop(): Promise<void>;
}

/** Where each durable engine keeps its files inside the data directory. */
const ENGINE_DIRS = { disk: 'log', lmdb: 'store' } as const;

async function openEngine(options: NodeServerOptions): Promise<StorageEngine> {
  if (options.storage === 'memory') return createMemoryEngine();
  mkdirSync(options.dataDir, { recursive: true });
  // A data directory written by the other engine would otherwise look empty, and the node would
  // start with none of the data it acknowledged: refuse instead, and say how to start it.
  const other = options.storage === 'disk' ? 'lmdb' : 'disk';
  if (existsSync(join(options.dataDir, ENGINE_DIRS[other]))) {
    throw new Error(`the data directory ${options.dataDir} holds a '${other}' store; start this node with --storage ${other}`);
  }
  const path = join(options.dataDir, ENGINE_DIRS[options.storage]);
  if (options.storage === 'lmdb') return openLmdbEngine({ path, durability: options.durability });
  return openLogEngine({ path, durability: options.durability });
}

export async function startNodeServer(options: NodeServerOptions): Promise<NodeServer> {
  const logger = options.logger ?? createLogger(options.id);
  const engine = await openEngine(options);
  const self: MemberSpec = {
    id: options.id,
    address: `${options.host}:${options.peerPort}`,
    httpAddress: `${options.host}:${options.httpPort}`,
    clientAddress: options.clientPort === undefined ? null : `${options.host}:${options.clientPort}`,
    weight: options.weight,
  };
  let runtime: NodeRuntime;
  const security = options.security;
  try {
    checkFounding(options, engine);
    runtime = await NodeRuntime.start({
      ...(security === undefined ? {} : { peerTls: { ...security.tls, mode: security.mode } }),
      self,
      listenHost: options.host,
      peerPort: options.peerPort,
      seeds: options.seeds,
      engine,
      logger,
      ...(options.config === undefined ? {} : { config: options.config }),
      ...(options.commitWindowMs === undefined ? {} : { commitWindowMs: options.commitWindowMs }),
    });
  } catch (err) {
    await engine.close();
    throw err;
  }
  if (security?.rootPassword !== undefined) runtime.changeUser('root', { kind: 'seed', hash: await hashPassword(security.rootPassword) });
  const strict = security?.mode === 'strict' ? security : undefined;
  const auth = strict === undefined ? undefined : new Authenticator(() => runtime.node.users.table());
  const metrics = new NodeMetricsExporter(runtime.node);
  let http: Server;
  try {
    http = await startHttpApi({
      host: options.host,
      port: options.httpPort,
      runtime,
      metrics,
      maxValueBytes: options.config?.maxValueBytes ?? NODE_DEFAULTS.maxValueBytes,
      ...(strict === undefined || auth === undefined ? {} : { tls: { cert: strict.tls.cert, key: strict.tls.key }, auth }),
    });
  } catch (err) {
    await runtime.stop();
    throw err;
  }
  let client: ClientServer | null = null;
  if (options.clientPort !== undefined) {
    try {
      client = await startClientServer({
        host: options.host,
        port: options.clientPort,
        runtime,
        logger,
        metrics,
        maxValueBytes: options.config?.maxValueBytes ?? NODE_DEFAULTS.maxValueBytes,
        ...(strict === undefined || auth === undefined
          ? {}
          : {
              tls: { cert: strict.tls.cert, key: strict.tls.key },
              auth,
              onRefused: (kind: 'unauthenticated' | 'forbidden') => (kind === 'forbidden' ? runtime.node.metrics.authForbidden++ : runtime.node.metrics.authFailures++),
            }),
      });
    } catch (err) {
      http.close();
      await runtime.stop();
      throw err;
    }
  }
  let resp: RespServer | null = null;
  if (options.respPort !== undefined) {
    try {
      resp = await startRespServer({
        host: options.host,
        port: options.respPort,
        backend: runtimeBackend(runtime),
        logger,
        metrics,
        nodeId: options.id,
        maxValueBytes: options.config?.maxValueBytes ?? NODE_DEFAULTS.maxValueBytes,
        ...(options.respBucket === undefined ? {} : { bucket: options.respBucket }),
        ...(strict === undefined || auth === undefined ? {} : { tls: { cert: strict.tls.cert, key: strict.tls.key }, auth }),
      });
    } catch (err) {
      await client?.close();
      http.close();
      await runtime.stop();
      throw err;
    }
  }
  logger.info({ peer: self.address, http: self.httpAddress, client: self.clientAddress, resp: resp?.port ?? null, storage: options.storage, durability: options.durability, security: security?.mode ?? 'off' }, 'node started');
  return {
    runtime,
    logger,
    async stop() {
      await resp?.close();
      await client?.close();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      await runtime.stop();
      logger.info({}, 'node stopped');
    },
  };
}
