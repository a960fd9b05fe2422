/**
 * A small network of Linux network namespaces for end-to-end tests over real interfaces: a switch
 * namespace holding a bridge, one namespace per node (10.77.0.i on its eth0) and one for the
 * clients (10.77.0.100), each joined to the bridge by a veth pair. The addresses exist inside the
 * project's namespaces only; the host's own network is not touched. Impairment per node link:
 * netem (delay, jitter, loss) when the kernel has it, else packet loss alone through nftables.
 * Root only. `destroy` kills whatever still runs inside (by PID) and deletes every namespace.
 */
import { execFileSync } from 'node:child_process';

export interface Impairment {
  readonly delayMs: number;
  readonly jitterMs: number;
  readonly lossPercent: number;
}

export interface LabOptions {
  /** Makes the namespace names unique: dyn-<tag>-n1 ... */
  readonly tag: string;
  readonly nodes: number;
  readonly impairment: Impairment;
}

export const SUBNET = '10.77.0';
export const CLIENT_INDEX = 100;

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function labPrerequisites(): string | null {
  if (process.getuid?.() !== 0) return 'not running as root (network namespaces need root)';
  try {
    ip('-V');
  } catch {
    return 'iproute2 (`ip`) is missing: run scripts/install-test-deps.sh as root';
  }
  return null;
}

export class NetLab {
  readonly switchNs: string;
  readonly clientNs: string;
  /** How the links are impaired, in words (netem, or loss only when the kernel lacks netem). */
  impairedBy = 'nothing';
  private readonly created: string[] = [];

  constructor(readonly options: LabOptions) {
    this.switchNs = `dyn-${options.tag}-sw`;
    this.clientNs = `dyn-${options.tag}-c`;
  }

  nodeNs(i: number): string {
    return `dyn-${this.options.tag}-n${i}`;
  }

  address(i: number): string {
    return `${SUBNET}.${i}`;
  }

  create(): void {
    this.addNs(this.switchNs);
    ip('-n', this.switchNs, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', this.switchNs, 'link', 'set', 'br0', 'up');
    this.attach(this.clientNs, CLIENT_INDEX);
    for (let i = 1; i <= this.options.nodes; i++) {
      this.attach(this.nodeNs(i), i);
      this.impair(this.nodeNs(i));
    }
  }

  private addNs(name: string): void {
    ip('netns', 'add', name);
    this.created.push(name);
    ip('-n', name, 'link', 'set', 'lo', 'up');
  }

  private attach(ns: string, index: number): void {
    this.addNs(ns);
    ip('-n', this.switchNs, 'link', 'add', `v${index}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    ip('-n', this.switchNs, 'link', 'set', `v${index}`, 'master', 'br0', 'up');
    ip('-n', ns, 'addr', 'add', `${SUBNET}.${index}/24`, 'dev', 'eth0');
    ip('-n', ns, 'link', 'set', 'eth0', 'up');
  }

  private impair(ns: string): void {
    const { delayMs, jitterMs, lossPercent } = this.options.impairment;
    try {
      execFileSync('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', 'eth0', 'root', 'netem', 'delay', `${delayMs}ms`, `${jitterMs}ms`, 'loss', `${lossPercent}%`], { stdio: 'ignore' });
      this.impairedBy = `netem: delay ${delayMs - jitterMs}-${delayMs + jitterMs} ms, ${lossPercent}% loss`;
      return;
    } catch {
      // This kernel has no sch_netem: drop packets with nftables instead (no delay then).
    }
    const perMille = Math.round(lossPercent * 10);
    execFileSync('ip', ['netns', 'exec', ns, 'nft', 'add', 'table', 'inet', 'dynlab'], { stdio: 'ignore' });
    execFileSync('ip', ['netns', 'exec', ns, 'nft', 'add', 'chain', 'inet', 'dynlab', 'out', '{ type filter hook output priority 0; policy accept; }'], { stdio: 'ignore' });
    execFileSync('ip', ['netns', 'exec', ns, 'nft', 'add', 'rule', 'inet', 'dynlab', 'out', 'oifname', 'eth0', 'numgen', 'random', 'mod', '1000', '<', String(perMille), 'drop'], { stdio: 'ignore' });
    this.impairedBy = `nftables: ${lossPercent}% loss on every node's egress (no delay: this kernel has no netem)`;
  }

  /** Takes node i's link down (a partition of that node from everyone) or up again. */
  setLink(i: number, up: boolean): void {
    ip('-n', this.nodeNs(i), 'link', 'set', 'eth0', up ? 'up' : 'down');
  }

  /** The command prefix that runs a process in node i's namespace (ip netns exec execs it: same PID). */
  launcher(i: number): string[] {
    return ['ip', 'netns', 'exec', this.nodeNs(i)];
  }

  destroy(): void {
    for (const ns of this.created.reverse()) {
      try {
        for (const pid of ip('netns', 'pids', ns).split('\n').map(Number).filter((p) => p > 0)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        ip('netns', 'del', ns);
      } catch {
        // best effort: go on with the others
      }
    }
    this.created.length = 0;
  }
}
