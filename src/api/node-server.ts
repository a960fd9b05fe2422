/**
 * One complete node process: storage engine, runtime (node + transport), HTTP API and metrics,
 * started in that order and stopped in the reverse order.
 */
import type { Server } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { MemberSpec } from '../core/membership/index.js';
import type { NodeConfig } from '../node/config.js';
import { NODE_DEFAULTS } from '../node/config.js';
import { createLogger, type Logger } from '../runtime/logger.js';
import { NodeRuntime } from '../runtime/node-runtime.js';
import { NodeMetricsExporter } from '../runtime/prometheus.js';
import type { Durability, StorageEngine } from '../storage/engine.js';
import { openLmdbEngine } from '../storage/lmdb.js';
import { createMemoryEngine } from '../storage/memory.js';
import { startHttpApi } from './http-server.js';
import { startClientServer, type ClientServer } from './client-server.js';

export interface NodeServerOptions {
  readonly id: string;
  readonly host: string;
  readonly peerPort: number;
  readonly httpPort: number;
  /** Port of the binary client protocol; none when omitted. */
  readonly clientPort?: number;
  readonly dataDir: string;
  readonly seeds: readonly string[];
  readonly storage: 'memory' | 'disk';
  readonly durability: Durability;
  readonly weight: number;
  readonly config?: Partial<Omit<NodeConfig, 'self' | 'actor' | 'seeds'>>;
  readonly logger?: Logger;
}

export interface NodeServer {
  readonly runtime: NodeRuntime;
  readonly logger: Logger;
  stop(): Promise<void>;
}

async function openEngine(options: NodeServerOptions): Promise<StorageEngine> {
  if (options.storage === 'memory') return createMemoryEngine();
  mkdirSync(options.dataDir, { recursive: true });
  return openLmdbEngine({ path: join(options.dataDir, 'store'), durability: options.durability });
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
  try {
    runtime = await NodeRuntime.start({
      self,
      listenHost: options.host,
      peerPort: options.peerPort,
      seeds: options.seeds,
      engine,
      logger,
      ...(options.config === undefined ? {} : { config: options.config }),
    });
  } catch (err) {
    await engine.close();
    throw err;
  }
  const metrics = new NodeMetricsExporter(runtime.node);
  let http: Server;
  try {
    http = await startHttpApi({
      host: options.host,
      port: options.httpPort,
      runtime,
      metrics,
      maxValueBytes: options.config?.maxValueBytes ?? NODE_DEFAULTS.maxValueBytes,
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
      });
    } catch (err) {
      http.close();
      await runtime.stop();
      throw err;
    }
  }
  logger.info({ peer: self.address, http: self.httpAddress, client: self.clientAddress, storage: options.storage, durability: options.durability }, 'node started');
  return {
    runtime,
    logger,
    async stop() {
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
