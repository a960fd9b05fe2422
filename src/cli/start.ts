/** `dynamo start`: one node in the foreground; SIGTERM or SIGINT stops it cleanly. */
import { Command } from 'commander';
import { startNodeServer } from '../api/node-server.js';
import { STORAGE_KINDS, type StorageKind } from '../storage/kinds.js';
import { addressList, nonNegativeNumber, oneOf, port, positiveInt, positiveNumber } from './options.js';
import { resolveSecurity, type SecurityFlags } from './security-flags.js';

interface StartFlags extends SecurityFlags {
  id: string;
  host: string;
  port: number;
  httpPort: number;
  clientPort?: number;
  respPort?: number;
  respBucket?: string;
  data: string;
  seeds?: string[];
  storage: StorageKind;
  weight: number;
  fsync: 'interval' | 'always' | 'none';
  commitWindowMs: number;
  partitions: number;
  replicas: number;
  requestTimeoutMs: number;
  maxValueBytes: number;
  gossipIntervalMs: number;
  tombstoneGraceMs: number;
  antiEntropyIntervalMs: number;
  transferConcurrency: number;
  transferBytesPerSec: number;
  handoffConcurrency: number;
  exitWithParent?: boolean;
  buggify?: string[];
}

export function startCommand(): Command {
  return new Command('start')
    .description('start one node in the foreground (SIGTERM stops it cleanly)')
    .requiredOption('--id <id>', 'stable node id')
    .requiredOption('--host <host>', 'address to listen on and to advertise')
    .requiredOption('--port <port>', 'peer (inter-node) port', port)
    .requiredOption('--http-port <port>', 'HTTP API port', port)
    .option('--client-port <port>', 'binary client protocol port (the TypeScript client and `dynamo bench --protocol native`)', port)
    .option('--resp-port <port>', 'Redis protocol port (RESP2, RESP3 after HELLO 3), for redis-cli, redis-benchmark and Redis clients; TLS and AUTH with --certs-dir', port)
    .option('--resp-bucket <bucket>', 'bucket of the keys sent over the RESP port (made lww on first use unless its properties were set); counters go to <bucket>-counters, sets to <bucket>-sets', 'redis')
    .requiredOption('--data <dir>', 'data directory')
    .option('--seeds <host:port,...>', 'peer addresses of seed nodes; a node listed in its own seeds founds a cluster when no other seed has one', addressList)
    .option('--storage <engine>', 'disk (append-only log, keys in memory; the default), lmdb (B-tree, for keys beyond memory) or memory', oneOf(...STORAGE_KINDS), 'disk')
    .option('--weight <w>', 'capacity weight: share of the ring relative to other nodes', positiveNumber, 1)
    .option('--fsync <policy>', 'disk durability: interval (fsync every 100 ms; commits survive kill -9), always (fsync each commit), none', oneOf('interval', 'always', 'none'), 'interval')
    .option('--commit-window-ms <ms>', 'group commit: under load, commit at most once per this many ms (0: every event-loop turn; no window measured faster, with any engine or --fsync policy)', nonNegativeNumber, 0)
    .option('--partitions <q>', 'partition count Q when founding a cluster (power of two)', positiveInt, 64)
    .option('--replicas <n>', 'replicas per partition (the largest bucket n) when founding a cluster', positiveInt, 3)
    .option('--request-timeout-ms <ms>', 'deadline of a client request', positiveInt, 2000)
    .option('--max-value-bytes <bytes>', 'largest value accepted (413 above)', positiveInt, 1024 * 1024)
    .option('--gossip-interval-ms <ms>', 'how often the node gossips membership with a random peer', positiveInt, 1000)
    .option('--tombstone-grace-ms <ms>', 'how long a tombstone is kept before it is reaped (then only once every replica holds it); hints older than half of it are dropped, and a node stopped longer than it refuses to start with its data', positiveInt, 3_600_000)
    .option('--anti-entropy-interval-ms <ms>', 'pause between anti-entropy exchanges that found nothing to repair', positiveInt, 500)
    .option('--transfer-concurrency <n>', 'partition exchanges (transfers and anti-entropy) running at once', positiveInt, 4)
    .option('--transfer-bytes-per-sec <bytes>', 'budget of exchange traffic per second', positiveInt, 16 * 1024 * 1024)
    .option('--handoff-concurrency <n>', 'hint deliveries in flight at once', positiveInt, 64)
    .option('--certs-dir <dir>', 'secure mode: mutual TLS 1.3 between nodes, HTTPS and TLS for clients, users and roles; DIR holds ca.crt, node.crt, node.key (`dynamo cert`)')
    .option('--root-password-file <file>', 'with --certs-dir: the password of the admin user root when this node founds the cluster')
    .option('--insecure', 'run plain (no TLS, no authentication) on a non-loopback --host, on purpose')
    .option('--tls-transitional', 'with --certs-dir, to secure a running plain cluster node by node: accept plain and TLS peers, dial TLS (falling back to plain); client ports stay plain until restarted without it')
    .addOption(new Command().createOption('--exit-with-parent', 'exit when the parent process is gone (used by dev-cluster)').hideHelp())
    .addOption(
      new Command()
        .createOption('--buggify <switches>', 'deliberately broken behaviour for tests: no-hinted-handoff, first-reply-wins')
        .argParser((v: string) => v.split(','))
        .hideHelp(),
    )
    .action(async (flags: StartFlags) => {
      const security = resolveSecurity(flags);
      const server = await startNodeServer({
        ...(security === undefined ? {} : { security }),
        id: flags.id,
        host: flags.host,
        peerPort: flags.port,
        httpPort: flags.httpPort,
        ...(flags.clientPort === undefined ? {} : { clientPort: flags.clientPort }),
        ...(flags.respPort === undefined ? {} : { respPort: flags.respPort }),
        ...(flags.respBucket === undefined ? {} : { respBucket: flags.respBucket }),
        dataDir: flags.data,
        seeds: flags.seeds ?? [],
        storage: flags.storage,
        durability: flags.fsync,
        commitWindowMs: flags.commitWindowMs,
        weight: flags.weight,
        config: {
          partitions: flags.partitions,
          replicas: flags.replicas,
          requestTimeoutMs: flags.requestTimeoutMs,
          maxValueBytes: flags.maxValueBytes,
          gossipIntervalMs: flags.gossipIntervalMs,
          tombstoneGraceMs: flags.tombstoneGraceMs,
          antiEntropyIntervalMs: flags.antiEntropyIntervalMs,
          transferConcurrency: flags.transferConcurrency,
          transferBytesPerSec: flags.transferBytesPerSec,
          handoffConcurrency: flags.handoffConcurrency,
          ...(flags.buggify === undefined
            ? {}
            : { buggify: { noHintedHandoff: flags.buggify.includes('no-hinted-handoff'), firstReplyWins: flags.buggify.includes('first-reply-wins') } }),
        },
      });
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        server.logger.info({ signal }, 'stopping');
        server.stop().then(
          () => process.exit(0),
          (err: unknown) => {
            server.logger.error({ error: (err as Error).message }, 'unclean stop');
            process.exit(1);
          },
        );
      };
      server.runtime.onLeft = () => stop('left the cluster');
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
      if (flags.exitWithParent) {
        const parent = process.ppid;
        setInterval(() => {
          try {
            process.kill(parent, 0);
          } catch {
            stop('parent-exit');
          }
        }, 1000).unref();
      }
    });
}
