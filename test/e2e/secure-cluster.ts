/**
 * A secure cluster of real node processes for end-to-end tests: a CA and per-node certificates
 * made with the `dynamo cert` CLI under the data root, nodes started with --certs-dir and
 * --root-password-file, HTTPS requests that trust the CA. Stopped by PID.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { secureFetch, type Credentials } from '../../src/security/https-fetch.js';
import { waitFor } from './process-cluster.js';

export const BIN = resolve(import.meta.dirname, '../../bin/dynamo.js');
const HOST = '127.0.0.1';
export const ROOT_PASSWORD = 'root-secret-1';

export interface Answer {
  readonly status: number;
  readonly text: string;
  readonly headers: Headers;
}

export function cli(...args: string[]): { status: number; out: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

export class SecureCluster {
  readonly dataRoot = mkdtempSync(join(tmpdir(), 'dynamo-secure-e2e-'));
  readonly caDir = join(this.dataRoot, 'ca');
  private readonly procs = new Map<number, ChildProcess>();
  readonly logs = new Map<number, string[]>();
  ca = '';

  constructor(
    readonly nodes: number,
    readonly basePort: number,
  ) {}

  peer(i: number): string {
    return `${HOST}:${this.basePort + i}`;
  }

  url(i: number): string {
    return `https://${HOST}:${this.basePort + 100 + i}`;
  }

  clientPort(i: number): number {
    return this.basePort + 200 + i;
  }

  certsDir(i: number): string {
    return join(this.dataRoot, `certs-n${i}`);
  }

  /** The CA and every node's pair, with the real CLI. */
  makeCerts(): void {
    const made = cli('cert', 'create-ca', '--certs-dir', this.caDir);
    if (made.status !== 0) throw new Error(made.out);
    for (let i = 1; i <= this.nodes; i++) {
      const node = cli('cert', 'create-node', '--certs-dir', this.caDir, '--id', `n${i}`, HOST, 'localhost', '--out', this.certsDir(i));
      if (node.status !== 0) throw new Error(node.out);
    }
    this.ca = readFileSync(join(this.caDir, 'ca.crt'), 'utf8');
    writeFileSync(join(this.dataRoot, 'root-password'), `${ROOT_PASSWORD}\n`, { mode: 0o600 });
  }

  seeds(): string {
    return Array.from({ length: this.nodes }, (_, k) => this.peer(k + 1)).join(',');
  }

  /** Node i; `args` replace the defaults of id/certs when given (to start impostors). */
  start(i: number, options: { id?: string; certsDir?: string; seeds?: string; extra?: readonly string[] } = {}): void {
    const args = [
      BIN, 'start', '--id', options.id ?? `n${i}`, '--host', HOST, '--port', String(this.basePort + i),
      '--http-port', String(this.basePort + 100 + i), '--data', join(this.dataRoot, `n${i}`), '--seeds', options.seeds ?? this.seeds(),
      '--certs-dir', options.certsDir ?? this.certsDir(i), '--root-password-file', join(this.dataRoot, 'root-password'),
      '--client-port', String(this.clientPort(i)), ...(options.extra ?? []),
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DYNAMO_LOG_LEVEL: 'warn' } });
    const log: string[] = [];
    this.logs.set(i, log);
    child.stdout!.on('data', (d: Buffer) => log.push(d.toString()));
    child.stderr!.on('data', (d: Buffer) => log.push(d.toString()));
    this.procs.set(i, child);
  }

  isAlive(i: number): boolean {
    const p = this.procs.get(i);
    return p !== undefined && p.exitCode === null && p.signalCode === null;
  }

  async kill(i: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.procs.get(i);
    if (p === undefined || !this.isAlive(i)) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill(signal);
    await exited;
  }

  async request(i: number, method: string, path: string, options: { body?: string; headers?: Record<string, string>; auth?: Credentials | null } = {}): Promise<Answer> {
    const auth = options.auth === undefined ? { user: 'root', password: ROOT_PASSWORD } : options.auth;
    const res = await secureFetch(`${this.url(i)}${path}`, {
      method,
      ca: this.ca,
      ...(auth === null ? {} : { auth }),
      ...(options.body === undefined ? {} : { body: options.body }),
      ...(options.headers === undefined ? {} : { headers: options.headers }),
    });
    return { status: res.status, text: await res.text(), headers: res.headers };
  }

  async tryRequest(i: number, method: string, path: string, options: Parameters<SecureCluster['request']>[3] = {}): Promise<Answer | null> {
    try {
      return await this.request(i, method, path, options);
    } catch {
      return null;
    }
  }

  /** Every node in `which` sees every node in `which` up. */
  async waitFormed(which: readonly number[], timeoutMs = 60_000): Promise<void> {
    await waitFor(
      async () => {
        for (const i of which) {
          const answer = await this.tryRequest(i, 'GET', '/cluster');
          if (answer === null || answer.status !== 200) return false;
          const view = JSON.parse(answer.text) as { members: { id: string; up: boolean }[] };
          for (const j of which) if (!view.members.some((m) => m.id === `n${j}` && m.up)) return false;
        }
        return true;
      },
      timeoutMs,
      `nodes ${which.join(',')} formed a cluster`,
    );
  }

  async metric(i: number, name: string): Promise<number> {
    // NaN when the node does not answer (a loaded machine): callers poll until a figure holds.
    const answer = await this.tryRequest(i, 'GET', '/metrics');
    const line = answer?.text.split('\n').find((l) => l.startsWith(`${name} `));
    return line === undefined ? NaN : Number(line.split(' ')[1]);
  }

  /** A metric's figure, asking again until the node answers. */
  async metricNow(i: number, name: string): Promise<number> {
    let value = NaN;
    await waitFor(async () => !Number.isNaN((value = await this.metric(i, name))), 30_000, `${name} of n${i}`);
    return value;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.procs.keys()].map((i) => this.kill(i, 'SIGTERM')));
    rmSync(this.dataRoot, { recursive: true, force: true });
  }
}
