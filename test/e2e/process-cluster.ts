/**
 * Real node processes for end-to-end tests: started from the built CLI (bin/dynamo.js), on
 * 127.0.0.1, each in its own data directory, stopped by PID. Ports come from a per-file base so
 * test files can run in parallel.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { StorageKind } from '../../src/storage/kinds.js';

const BIN = resolve(import.meta.dirname, '../../bin/dynamo.js');
const HOST = '127.0.0.1';

export interface ClusterOptions {
  readonly nodes: number;
  readonly basePort: number;
  readonly storage?: StorageKind;
  readonly extraArgs?: readonly string[];
  /** Also serve the binary client protocol, node i on port basePort+200+i. */
  readonly clientPorts?: boolean;
  /** Also serve the Redis protocol, node i on port basePort+300+i. */
  readonly respPorts?: boolean;
}

export class ProcessCluster {
  readonly dataRoot = mkdtempSync(join(tmpdir(), 'dynamo-e2e-'));
  private readonly procs = new Map<number, ChildProcess>();
  readonly logs = new Map<number, string[]>();

  constructor(readonly options: ClusterOptions) {}

  peer(i: number): string {
    return `${HOST}:${this.options.basePort + i}`;
  }

  url(i: number): string {
    return `http://${HOST}:${this.options.basePort + 100 + i}`;
  }

  clientPort(i: number): number {
    return this.options.basePort + 200 + i;
  }

  respPort(i: number): number {
    return this.options.basePort + 300 + i;
  }

  seeds(): string {
    return Array.from({ length: this.options.nodes }, (_, k) => this.peer(k + 1)).join(',');
  }

  /** Starts node i; `extra` options come last, so they override the cluster's (a restart with another grace, say). */
  start(i: number, extra: readonly string[] = []): void {
    const args = [
      BIN, 'start', '--id', `n${i}`, '--host', HOST, '--port', String(this.options.basePort + i),
      '--http-port', String(this.options.basePort + 100 + i), '--data', join(this.dataRoot, `n${i}`),
      '--seeds', this.seeds(), '--storage', this.options.storage ?? 'disk', ...(this.options.extraArgs ?? []),
      ...(this.options.clientPorts ? ['--client-port', String(this.clientPort(i))] : []),
      ...(this.options.respPorts ? ['--resp-port', String(this.respPort(i))] : []),
      ...extra,
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DYNAMO_LOG_LEVEL: 'warn' } });
    const log: string[] = [];
    this.logs.set(i, log);
    child.stdout!.on('data', (d: Buffer) => log.push(d.toString()));
    child.stderr!.on('data', (d: Buffer) => log.push(d.toString()));
    this.procs.set(i, child);
  }

  async startAll(): Promise<void> {
    for (let i = 1; i <= this.options.nodes; i++) this.start(i);
    await this.waitFormed();
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

  /** Stops (SIGSTOP) or resumes (SIGCONT) a node: one that hangs with its connections open. */
  freeze(i: number, frozen: boolean): void {
    if (this.isAlive(i)) this.procs.get(i)!.kill(frozen ? 'SIGSTOP' : 'SIGCONT');
  }

  async waitHealthy(i: number, timeoutMs = 30_000): Promise<void> {
    await waitFor(async () => (await status(`${this.url(i)}/health`)) === 200, timeoutMs, `n${i} healthy`);
  }

  /** Every running node sees every running node up. */
  async waitFormed(timeoutMs = 60_000): Promise<void> {
    const running = Array.from({ length: this.options.nodes }, (_, k) => k + 1).filter((i) => this.isAlive(i));
    await waitFor(
      async () => {
        for (const i of running) {
          const view = (await json(`${this.url(i)}/cluster`)) as { members: { id: string; up: boolean }[] } | null;
          if (view === null) return false;
          for (const j of running) if (!view.members.some((m) => m.id === `n${j}` && m.up)) return false;
        }
        return true;
      },
      timeoutMs,
      'cluster formed',
    );
  }

  async stop(): Promise<void> {
    await Promise.all([...this.procs.keys()].map((i) => this.kill(i, 'SIGTERM')));
    rmSync(this.dataRoot, { recursive: true, force: true });
  }
}

export async function status(url: string, init?: RequestInit): Promise<number> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

export async function json(url: string): Promise<unknown> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return res.ok ? ((await res.json()) as unknown) : null;
  } catch {
    return null;
  }
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

export interface KvResponse {
  readonly status: number;
  readonly body: Buffer;
  readonly context: string | null;
}

export async function kv(base: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<KvResponse> {
  const res = await fetch(`${base}${path}`, { method, body, headers, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()), context: res.headers.get('x-dynamo-context') };
}
