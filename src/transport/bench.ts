/**
 * Pipelined request/response between two TCP transports in one process: how many round trips per
 * second the transport carries with a fixed number in flight. It is the transport's share of every
 * replicated operation, and the check that per-turn coalescing does what PERF-NOTES measured
 * (95k round trips/s writing each frame, 164k coalesced, with client and server in two processes;
 * there). By default both ends share one process, which favours coalescing: the two sides step in
 * lockstep, so nearly all 50 requests leave in one write and come back in one. `--split` puts the
 * server in a child process, the setting PERF-NOTES measured.
 *
 *   node --import tsx src/transport/bench.ts [--seconds 5] [--inflight 50] [--bytes 100] [--flush turn|frame|both] [--split]
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { createTcpTransport } from './tcp.js';
import type { FlushPolicy, PeerAddress, Transport } from './types.js';

const PERF_NOTES_COALESCED = 164_000;
const PERF_NOTES_PER_FRAME = 95_000;
const ignore = (): void => undefined;

interface RunOptions {
  readonly policy: FlushPolicy;
  readonly seconds: number;
  readonly inflight: number;
  readonly bytes: number;
  readonly split: boolean;
}

/** The echo side: answers every frame with a frame of the same size. */
function startEchoServer(policy: FlushPolicy, bytes: number): Transport {
  const response = Buffer.alloc(bytes, 2);
  const server: Transport = createTcpTransport({
    host: '127.0.0.1',
    port: 0,
    flushPolicy: policy,
    handlers: { frame: (from) => void server.send(from, response), peerUp: ignore, peerDown: ignore },
  });
  return server;
}

/** A server in this process, or in a child process (`--split`); resolves to its address and a stop function. */
async function startServer(options: RunOptions): Promise<{ address: PeerAddress; stop: () => Promise<void> }> {
  if (!options.split) {
    const server = startEchoServer(options.policy, options.bytes);
    await server.listen();
    return { address: server.localAddress, stop: () => server.close() };
  }
  const child = fork(process.argv[1]!, ['--serve', '--flush', options.policy, '--bytes', String(options.bytes)]);
  const [address] = (await once(child, 'message')) as [PeerAddress];
  return {
    address,
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

async function runOne(options: RunOptions): Promise<number> {
  const server = await startServer(options);
  let completed = 0;
  let measuring = false;
  const request = Buffer.alloc(options.bytes, 1);
  const client: Transport = createTcpTransport({
    host: '127.0.0.1',
    port: 0,
    flushPolicy: options.policy,
    handlers: {
      frame: () => {
        if (measuring) completed++;
        client.send(server.address, request);
      },
      peerUp: ignore,
      peerDown: ignore,
    },
  });
  await client.listen();
  for (let i = 0; i < options.inflight; i++) client.send(server.address, request);
  await sleep(1_000); // warm-up: connections, JIT
  measuring = true;
  const startedNs = process.hrtime.bigint();
  await sleep(options.seconds * 1_000);
  measuring = false;
  const elapsedS = Number(process.hrtime.bigint() - startedNs) / 1e9;
  await client.close();
  await server.stop();
  return completed / elapsedS;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Child-process mode of `--split`: serve until told to stop, report the address to the parent. */
async function serve(policy: FlushPolicy, bytes: number): Promise<void> {
  const server = startEchoServer(policy, bytes);
  await server.listen();
  process.send!(server.localAddress);
  process.once('SIGTERM', () => void server.close());
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '5' },
      inflight: { type: 'string', default: '50' },
      bytes: { type: 'string', default: '100' },
      flush: { type: 'string', default: 'both' },
      split: { type: 'boolean', default: false },
      serve: { type: 'boolean', default: false },
    },
  });
  const bytes = Number(values.bytes);
  if (values.serve) return serve(values.flush as FlushPolicy, bytes);
  const base = { seconds: Number(values.seconds), inflight: Number(values.inflight), bytes, split: values.split };
  const policies: FlushPolicy[] = values.flush === 'both' ? ['turn', 'frame'] : [values.flush as FlushPolicy];
  const where = base.split ? 'client and server in two processes' : 'both transports in one process';
  console.log(`transport bench: ${where}, ${base.inflight} in flight, ${bytes}-byte payloads, ${base.seconds} s per run`);
  for (const policy of policies) {
    const roundTripsPerSecond = await runOne({ ...base, policy });
    const reference = policy === 'turn' ? PERF_NOTES_COALESCED : PERF_NOTES_PER_FRAME;
    const label = policy === 'turn' ? 'coalesced per turn' : 'one write per frame';
    const ratio = (roundTripsPerSecond / reference).toFixed(2);
    const figure = Math.round(roundTripsPerSecond).toLocaleString('en-US').padStart(9);
    console.log(`${label.padEnd(20)} ${figure} round trips/s  (${ratio}x the PERF-NOTES ${reference / 1000}k, measured in two processes)`);
  }
}

await main();
