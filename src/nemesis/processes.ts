/**
 * The real node processes of a nemesis run: `node bin/dynamo.js start ...` from the build, each on
 * its own loopback address (127.0.0.x) with its own data directory and, when running as root, its
 * own uid (what lets firewall rules tell the nodes apart). Every process is started, killed,
 * paused and stopped by its PID, and dies with its parent (the kernel's parent-death signal, or
 * the node's --exit-with-parent) in case the harness itself is killed without a chance to clean up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { assert } from '../core/assert.js';
import type { StorageKind } from '../storage/kinds.js';
import { PLAIN, scheme, type HttpAccess } from './access.js';

export const BIN = resolve(import.meta.dirname, '../../bin/dynamo.js');
export const BUILT_CLI = resolve(import.meta.dirname, '../../dist/cli/main.js');

export interface NodeSpec {
  readonly index: number;
  readonly id: string;
  readonly host: string;
  readonly peerPort: number;
  readonly httpPort: number;
  /** The binary client protocol's port (what the TypeScript client uses). */
  readonly clientPort: number;
  readonly uid: number;
  readonly dataDir: string;
}

export interface ProcessOptions {
  readonly nodes: number;
  readonly basePort: number;
  /** Node i listens on 127.0.0.(addressBase + i). */
  readonly addressBase: number;
  /** Give each node a uid of its own (root only). */
  readonly separateUids: boolean;
  readonly uidBase: number;
  readonly storage: StorageKind;
  /** Node i's address, when not 127.0.0.(addressBase + i) (the network-namespace lab: netlab/). */
  readonly hostOf?: (index: number) => string;
  /** A command that runs node i's process somewhere else, e.g. ['ip', 'netns', 'exec', NAME] (it must exec, keeping the PID). */
  readonly launcher?: (index: number) => readonly string[];
}

/** A secure run (`--secure`, security.ts): every node's extra start flags, and how requests reach the nodes. */
export interface NodeSecurity {
  readonly access: HttpAccess;
  args(spec: NodeSpec): readonly string[];
}

interface Running {
  readonly child: ChildProcess;
  paused: boolean;
  readonly log: string[];
}

const LOG_LINES = 50;

export function buildExists(): boolean {
  return existsSync(BUILT_CLI);
}

export class NodeProcesses {
  readonly specs: NodeSpec[];
  readonly dataRoot: string;
  private readonly running = new Map<number, Running>();
  kills = 0;
  pauses = 0;
  /** How the harness's requests reach the nodes: plain HTTP until `secure`. */
  access: HttpAccess = PLAIN;
  private securityArgs: (spec: NodeSpec) => readonly string[] = () => [];

  constructor(private readonly options: ProcessOptions) {
    this.dataRoot = mkdtempSync(join(tmpdir(), 'dynamo-nemesis-'));
    chmodSync(this.dataRoot, 0o755);
    this.specs = Array.from({ length: options.nodes }, (_, k) => {
      const index = k + 1;
      const spec: NodeSpec = {
        index,
        id: `n${index}`,
        host: options.hostOf?.(index) ?? `127.0.0.${options.addressBase + index}`,
        peerPort: options.basePort + index,
        httpPort: options.basePort + 100 + index,
        clientPort: options.basePort + 200 + index,
        uid: options.separateUids ? options.uidBase + index : (process.getuid?.() ?? 0),
        dataDir: join(this.dataRoot, `n${index}`),
      };
      mkdirSync(spec.dataDir);
      if (options.separateUids) chownSync(spec.dataDir, spec.uid, spec.uid);
      return spec;
    });
  }

  /** From now on every node starts with TLS and users, and requests go over HTTPS as root. */
  secure(security: NodeSecurity): void {
    assert(this.running.size === 0, 'security is chosen before the first node starts');
    this.access = security.access;
    this.securityArgs = (spec) => security.args(spec);
  }

  url(i: number): string {
    const s = this.spec(i);
    return `${scheme(this.access)}://${s.host}:${s.httpPort}`;
  }

  spec(i: number): NodeSpec {
    const s = this.specs[i - 1];
    if (s === undefined) throw new Error(`no node ${i}`);
    return s;
  }

  /** Whether every port the cluster needs is free. */
  async portsFree(): Promise<boolean> {
    for (const s of this.specs) {
      for (const port of [s.peerPort, s.httpPort, s.clientPort]) if (!(await portFree(s.host, port))) return false;
    }
    return true;
  }

  start(i: number): void {
    if (this.isAlive(i)) return;
    const s = this.spec(i);
    const seeds = this.specs.map((x) => `${x.host}:${x.peerPort}`).join(',');
    const args = [
      BIN, 'start', '--id', s.id, '--host', s.host, '--port', String(s.peerPort), '--http-port', String(s.httpPort),
      '--client-port', String(s.clientPort), '--data', s.dataDir, '--seeds', seeds, '--storage', this.options.storage,
      ...this.securityArgs(s),
      // Off loopback (the network-namespace lab) a node runs plain only when told so explicitly.
      ...(this.securityArgs(s).length === 0 && !isLoopbackHost(s.host) ? ['--insecure'] : []),
    ];
    // Under another uid the node cannot signal its parent to see if it lives (--exit-with-parent):
    // setpriv switches the uid and asks the kernel to SIGKILL it when the harness dies, then execs
    // node, so the PID is the node's own.
    const launcher = this.options.launcher?.(i) ?? [];
    const [command, argv] = this.options.separateUids
      ? ['setpriv', [`--reuid=${s.uid}`, `--regid=${s.uid}`, '--clear-groups', '--pdeathsig=KILL', '--', process.execPath, ...args]]
      : launcher.length > 0
        ? [launcher[0]!, [...launcher.slice(1), process.execPath, ...args, '--exit-with-parent']]
        : [process.execPath, [...args, '--exit-with-parent']];
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DYNAMO_LOG_LEVEL: 'warn' } });
    const log: string[] = [];
    const keep = (d: Buffer): void => {
      log.push(d.toString());
      if (log.length > LOG_LINES) log.shift();
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.running.set(i, { child, paused: false, log });
  }

  isAlive(i: number): boolean {
    const r = this.running.get(i);
    return r !== undefined && r.child.exitCode === null && r.child.signalCode === null;
  }

  isPaused(i: number): boolean {
    return this.running.get(i)?.paused === true;
  }

  /** Indexes of nodes that are alive and not paused. */
  serving(): number[] {
    return this.specs.map((s) => s.index).filter((i) => this.isAlive(i) && !this.isPaused(i));
  }

  async kill(i: number): Promise<void> {
    const r = this.running.get(i);
    if (r === undefined || !this.isAlive(i)) return;
    const exited = new Promise((done) => r.child.once('exit', done));
    r.child.kill('SIGKILL');
    r.paused = false;
    this.kills++;
    await exited;
  }

  pause(i: number): void {
    const r = this.running.get(i);
    if (r === undefined || !this.isAlive(i) || r.paused) return;
    r.child.kill('SIGSTOP');
    r.paused = true;
    this.pauses++;
  }

  resume(i: number): void {
    const r = this.running.get(i);
    if (r === undefined || !r.paused) return;
    r.child.kill('SIGCONT');
    r.paused = false;
  }

  logTail(i: number): string {
    return (this.running.get(i)?.log ?? []).join('').split('\n').slice(-10).join('\n');
  }

  /** Stops every node cleanly (SIGCONT, SIGTERM, then SIGKILL after `graceMs`). */
  async stopAll(graceMs = 5000): Promise<void> {
    const waits: Promise<unknown>[] = [];
    for (const [i, r] of this.running) {
      if (!this.isAlive(i)) continue;
      if (r.paused) r.child.kill('SIGCONT');
      r.paused = false;
      waits.push(new Promise((done) => r.child.once('exit', done)));
      r.child.kill('SIGTERM');
    }
    const timer = new Promise((done) => setTimeout(done, graceMs).unref());
    await Promise.race([Promise.all(waits), timer]);
    this.killAllNow();
  }

  /** Synchronous last resort (signal handlers, exit): SIGKILL by PID whatever is still running. */
  killAllNow(): void {
    for (const [i, r] of this.running) if (this.isAlive(i)) r.child.kill('SIGKILL');
  }

  removeData(): void {
    rmSync(this.dataRoot, { recursive: true, force: true });
  }
}

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, host, () => server.close(() => done(true)));
  });
}

function isLoopbackHost(host: string): boolean {
  return host.startsWith('127.') || host === '::1' || host === 'localhost';
}
