/**
 * Network splits on real sockets, with nftables on the loopback interface.
 *
 * Every node connects to its peers from 127.0.0.1 (the kernel's source for loopback routes), so a
 * rule cannot tell senders apart by source address. Each node process therefore runs under a uid
 * of its own, and a cut "a -> b" is one rule in an output chain: packets a's sockets send to b's
 * address and peer port are dropped (a silent split: TCP retransmits into the void) or answered
 * with a reset (the connection fails at once). Only node-to-node traffic on 127.0.0.0/8 matches;
 * the harness's own HTTP requests (root's uid) never do.
 *
 * All rules live in one table named after this process, deleted on heal-all and at exit (also on
 * SIGINT/SIGTERM, see run.ts); tables left by a harness that was SIGKILLed are removed at the next
 * start, when their owner pid is gone.
 */
import { execFileSync } from 'node:child_process';

export type CutMode = 'drop' | 'reject';

export interface Endpoint {
  readonly uid: number;
  readonly host: string;
  readonly peerPort: number;
}

const TABLE_PREFIX = 'dynamo_nemesis_';
const LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

function nft(args: readonly string[]): string {
  return execFileSync('nft', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
}

function hasNft(): boolean {
  try {
    nft(['--version']);
    return true;
  } catch {
    return false;
  }
}

/** Whether nftables is usable here; installs it from Debian when missing and `install` is set. */
export function ensureNft(install: boolean, log: (line: string) => void): { ok: boolean; why: string } {
  if (process.getuid?.() !== 0) return { ok: false, why: 'not running as root (nftables rules and per-node uids need root)' };
  if (!hasNft() && install) {
    log('nemesis: nft is missing; installing nftables from Debian (apt-get install -y nftables)');
    try {
      execFileSync('apt-get', ['install', '-y', '-qq', 'nftables'], { stdio: 'ignore', timeout: 300_000 });
    } catch {
      try {
        execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', timeout: 300_000 });
        execFileSync('apt-get', ['install', '-y', '-qq', 'nftables'], { stdio: 'ignore', timeout: 300_000 });
      } catch (err) {
        return { ok: false, why: `could not install nftables: ${(err as Error).message.split('\n')[0]}` };
      }
    }
  }
  if (!hasNft()) return { ok: false, why: 'nft is not installed' };
  const probe = `${TABLE_PREFIX}probe_${process.pid}`;
  try {
    nft(['add', 'table', 'inet', probe]);
    nft(['add', 'chain', 'inet', probe, 'out', '{ type filter hook output priority 0; policy accept; }']);
    nft(['delete', 'table', 'inet', probe]);
    return { ok: true, why: '' };
  } catch (err) {
    return { ok: false, why: `nftables does not work here: ${(err as Error).message.split('\n')[0]}` };
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export class Firewall {
  readonly table = `${TABLE_PREFIX}${process.pid}`;
  private created = false;
  rulesAdded = 0;

  /** Removes tables left by earlier harnesses that died without cleaning up, then creates ours. */
  open(): void {
    for (const line of nft(['list', 'tables']).split('\n')) {
      const m = new RegExp(`^table inet (${TABLE_PREFIX}(?:probe_)?(\\d+))$`).exec(line.trim());
      if (m !== null && !pidAlive(Number(m[2]))) nft(['delete', 'table', 'inet', m[1]!]);
    }
    nft(['add', 'table', 'inet', this.table]);
    nft(['add', 'chain', 'inet', this.table, 'out', '{ type filter hook output priority 0; policy accept; }']);
    this.created = true;
  }

  /** Messages from `from` to `to` are lost (drop) or refused (reject). */
  cut(from: Endpoint, to: Endpoint, mode: CutMode): void {
    if (!this.created) throw new Error('the firewall table is not open');
    if (!LOOPBACK.test(to.host)) throw new Error(`refusing to add a rule for ${to.host}: only 127.0.0.0/8`);
    const verdict = mode === 'drop' ? ['drop'] : ['reject', 'with', 'tcp', 'reset'];
    nft(['add', 'rule', 'inet', this.table, 'out', 'meta', 'skuid', String(from.uid), 'ip', 'daddr', to.host, 'tcp', 'dport', String(to.peerPort), ...verdict]);
    this.rulesAdded++;
  }

  /** Removes every cut. */
  heal(): void {
    if (this.created) nft(['flush', 'chain', 'inet', this.table, 'out']);
  }

  /** Deletes the table; safe to call more than once and from a signal handler. */
  close(): void {
    if (!this.created) return;
    this.created = false;
    try {
      nft(['delete', 'table', 'inet', this.table]);
    } catch {
      // Already gone.
    }
  }

  /** The rules in force (for diagnostics). */
  list(): string {
    return this.created ? nft(['list', 'table', 'inet', this.table]) : '';
  }
}
