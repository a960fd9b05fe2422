/**
 * `dynamo dev-cluster`: N node processes on 127.0.0.1, all seeds of each other, so they form one
 * cluster. Node i takes peer port BASE+i, HTTP port BASE+100+i, client-protocol port BASE+200+i and RESP (Redis protocol) port BASE+300+i. The command waits until every
 * node serves and sees all members, prints their URLs, and stops every child on SIGINT/SIGTERM.
 * A child that dies is reported, not restarted: killing one is how you try failures. Only a node
 * that dies before it ever served stops the whole cluster (it could not start at all).
 * Options after `--` go to every node's `dynamo start` (durability, anti-entropy pace, limits), so
 * a benchmark or an experiment can vary them without starting nodes by hand.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { STORAGE_KINDS, type StorageKind } from '../storage/kinds.js';
import { secureFetch } from '../security/https-fetch.js';
import { prepareDevSecurity, type DevSecurity } from './dev-cluster-secure.js';
import { oneOf, positiveInt } from './options.js';

interface DevClusterFlags {
  nodes: number;
  basePort: number;
  data?: string;
  storage: StorageKind;
  partitions: number;
  verbose?: boolean;
  secure?: boolean;
}

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 60_000;
/** `dynamo start` options that dev-cluster sets itself for each node. */
const OWN_NODE_OPTIONS = ['--id', '--host', '--port', '--http-port', '--client-port', '--resp-port', '--data', '--seeds', '--storage', '--partitions', '--exit-with-parent'];

/** The first of `nodeOptions` that dev-cluster sets itself (given as `--opt` or `--opt=value`), if any. */
export function ownNodeOption(nodeOptions: readonly string[]): string | undefined {
  return nodeOptions.map((arg) => arg.split('=')[0]!).find((name) => OWN_NODE_OPTIONS.includes(name));
}

export function devClusterCommand(): Command {
  return new Command('dev-cluster')
    .description('start a local cluster of node processes on 127.0.0.1 and keep running until SIGINT/SIGTERM')
    .option('--nodes <n>', 'number of nodes', positiveInt, 3)
    .option('--base-port <port>', 'node i listens on BASE+i (peers), BASE+100+i (HTTP), BASE+200+i (binary client protocol) and BASE+300+i (Redis protocol)', positiveInt, 7000)
    .option('--data <dir>', 'data directory (one subdirectory per node); default: a new temporary directory')
    .option('--storage <engine>', 'disk (append-only log, keys in memory; the default), lmdb (B-tree, for keys beyond memory) or memory', oneOf(...STORAGE_KINDS), 'disk')
    .option('--partitions <q>', 'partition count Q (power of two)', positiveInt, 64)
    .option('--verbose', "print the nodes' JSON logs")
    .option('--secure', 'mutual TLS, HTTPS and users: a CA and node certificates under DATA/certs, a random root password in DATA/root-password')
    .argument('[node-options...]', "after --: options for every node's `dynamo start`, e.g. -- --fsync always --anti-entropy-interval-ms 5000")
    .action(async (nodeOptions: string[], flags: DevClusterFlags) => {
      const own = ownNodeOption(nodeOptions);
      if (own !== undefined) {
        console.error(`dev-cluster sets ${own} for each node itself; give it through dev-cluster's own options (see --help)`);
        process.exit(2);
      }
      await runDevCluster(flags, nodeOptions);
    });
}

function binPath(): string {
  return resolve(fileURLToPath(import.meta.url), '../../../bin/dynamo.js');
}

async function runDevCluster(flags: DevClusterFlags, nodeOptions: readonly string[]): Promise<void> {
  const dataRoot = flags.data ?? mkdtempSync(join(tmpdir(), 'dynamo-dev-'));
  const security = flags.secure === true ? await prepareDevSecurity(dataRoot, flags.nodes, HOST) : null;
  const peers = Array.from({ length: flags.nodes }, (_, i) => `${HOST}:${flags.basePort + i + 1}`);
  const children: ChildProcess[] = [];
  let stopping = false;
  let formed = false;
  const stopAll = (code: number): void => {
    if (stopping) return;
    stopping = true;
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    const force = setTimeout(() => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')), 5000);
    Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r))))).then(() => {
      clearTimeout(force);
      process.exit(code);
    });
  };
  process.on('SIGINT', () => stopAll(0));
  process.on('SIGTERM', () => stopAll(0));
  for (let i = 1; i <= flags.nodes; i++) {
    const dir = join(dataRoot, `node${i}`);
    mkdirSync(dir, { recursive: true });
    const args = [
      binPath(), 'start', '--id', `node${i}`, '--host', HOST,
      '--port', String(flags.basePort + i), '--http-port', String(flags.basePort + 100 + i),
      '--client-port', String(flags.basePort + 200 + i), '--resp-port', String(flags.basePort + 300 + i),
      '--data', dir, '--seeds', peers.join(','), '--storage', flags.storage,
      '--partitions', String(flags.partitions), '--exit-with-parent',
      ...(security === null ? [] : ['--certs-dir', security.certsDir(i), '--root-password-file', security.rootPasswordFile]),
      ...nodeOptions,
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', flags.verbose ? 'inherit' : 'ignore', 'inherit'] });
    child.on('exit', (code, signal) => {
      if (!stopping) console.error(`node${i} (pid ${child.pid}) exited (${signal ?? `code ${code}`})${formed ? '; the others keep running' : ''}`);
    });
    children.push(child);
  }
  const scheme = security === null ? 'http' : 'https';
  const urls = Array.from({ length: flags.nodes }, (_, i) => `${scheme}://${HOST}:${flags.basePort + 101 + i}`);
  const ready = await waitUntilFormed(urls, children, security);
  if (ready !== 'formed') {
    console.error(ready === 'node exited' ? 'a node exited before it ever served (a bad node option, a port in use); stopping' : `the cluster did not form within ${READY_TIMEOUT_MS / 1000} s; stopping`);
    stopAll(1);
    return;
  }
  formed = true;
  const given = nodeOptions.length === 0 ? '' : `, node options: ${nodeOptions.join(' ')}`;
  const secured = security === null ? '' : `, secure: CA ${security.caFile}, root password in ${security.rootPasswordFile}`;
  console.log(`dynamo dev-cluster: ${flags.nodes} nodes ready (storage ${flags.storage}, data in ${dataRoot}${given}${secured})`);
  urls.forEach((url, i) => console.log(`  node${i + 1}  ${url}   client protocol ${HOST}:${flags.basePort + 201 + i}   redis ${HOST}:${flags.basePort + 301 + i}${security === null ? '' : ' (TLS, AUTH)'}`));
  if (security === null) {
    console.log('try:  curl -X PUT --data-binary hello ' + urls[0] + '/kv/demo/greeting ; curl ' + urls[1] + '/kv/demo/greeting');
  } else {
    const curl = `curl --cacert ${security.caFile} -u root:$(cat ${security.rootPasswordFile})`;
    console.log(`try:  ${curl} -X PUT --data-binary hello ${urls[0]}/kv/demo/greeting ; ${curl} ${urls[1]}/kv/demo/greeting`);
  }
  console.log('stop with Ctrl-C');
}

/**
 * Waits until every node has served (answered /health) or was killed, and the nodes still running
 * all see each other up. Only a node that exits by itself before it ever served ends the wait (it
 * was misconfigured, or its port was taken); one killed by a signal is a failure being tried, and
 * the others go on.
 */
async function waitUntilFormed(urls: readonly string[], children: readonly ChildProcess[], security: DevSecurity | null): Promise<'formed' | 'node exited' | 'timed out'> {
  const served = urls.map(() => false);
  const killed = (i: number): boolean => children[i]!.signalCode !== null;
  const exited = (i: number): boolean => children[i]!.exitCode !== null || children[i]!.signalCode !== null;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    await Promise.all(urls.map(async (u, i) => {
      if (!served[i] && !exited(i) && (await fetchStatus(`${u}/health`, security)) === 200) served[i] = true;
    }));
    // Exiting on its own (an exit code) before serving is a node that could not start; a node
    // killed by a signal is a failure someone is trying, whenever it happens.
    if (urls.some((_, i) => children[i]!.exitCode !== null && !served[i])) return 'node exited';
    const live = urls.map((_, i) => i).filter((i) => !exited(i));
    if (served.every((s, i) => s || killed(i)) && live.length > 0) {
      const views = await Promise.all(live.map((i) => (security === null ? fetchJson(`${urls[i]}/cluster`) : fetchSecureJson(`${urls[i]}/cluster`, security))));
      const allSeeEachOther = views.every((v) => {
        const list = (v as { members?: { up: boolean; state: string }[] } | null)?.members;
        return list !== undefined && list.filter((m) => m.up && m.state === 'up').length >= live.length;
      });
      if (allSeeEachOther) return 'formed';
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return 'timed out';
}

async function fetchStatus(url: string, security: DevSecurity | null): Promise<number> {
  try {
    if (security !== null) return (await secureFetch(url, { ca: security.ca, timeoutMs: 2000 })).status;
    return (await fetch(url, { signal: AbortSignal.timeout(2000) })).status;
  } catch {
    return 0;
  }
}

async function fetchSecureJson(url: string, security: DevSecurity): Promise<unknown> {
  try {
    const res = await secureFetch(url, { ca: security.ca, auth: { user: 'root', password: security.rootPassword }, timeoutMs: 2000 });
    return res.ok ? ((await res.json()) as unknown) : null;
  } catch {
    return null;
  }
}

export async function fetchJson(url: string): Promise<unknown> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    if (!res.ok) return null;
    return (await res.json()) as unknown;
  } catch {
    return null;
  }
}
