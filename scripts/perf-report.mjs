// Sums up `perf script -F comm,pid,tid,ip,sym,dso` output (stdin) from scripts/profile.sh: the
// share of samples by process role, the hottest symbols (self), where the nodes' kernel time goes,
// and the nodes' JavaScript functions by inclusive share (a function counts once per sample however
// deep it recurs). Roles come from PIDs: --nodes PID,PID,... and --bench PID; swapper is idle.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '' },
    bench: { type: 'string', default: '' },
    title: { type: 'string', default: '' },
    ops: { type: 'string', default: '' },
    top: { type: 'string', default: '25' },
  },
});
const nodePids = new Set(args.nodes.split(',').filter(Boolean));
const top = Number(args.top);
/** Syscall entry points worth naming in the nodes' kernel time. */
const KERNEL_PATHS = [
  ['__x64_sys_pwrite64', 'pwrite (log appends)'],
  ['__x64_sys_pread64', 'pread (value reads)'],
  ['tcp_sendmsg', 'TCP send (delivers to the receiver on loopback)'],
  ['tcp_recvmsg', 'TCP receive'],
  ['__x64_sys_epoll_pwait', 'epoll_wait'],
  ['__x64_sys_fdatasync', 'fdatasync'],
  ['asm_exc_page_fault', 'page faults'],
];

const role = new Map([['idle', 0], ['nodes', 0], ['load generator', 0], ['other', 0]]);
const selfSymbols = new Map();
const nodeKernel = new Map();
const nodeInclusive = new Map();
let total = 0;
let nodeSamples = 0;
let nodeKernelSamples = 0;
let header = null;
let frames = [];

const add = (map, key, n = 1) => map.set(key, (map.get(key) ?? 0) + n);

function frameName(line) {
  // "    7fb4770fe92b JS:*slice node:buffer:635:12 (/tmp/perf-17075.map)"
  const m = /^\s*[0-9a-f]+\s+(.*?)\s+\((.*)\)\s*$/.exec(line);
  if (m === null) return { sym: line.trim(), kernel: false };
  const sym = m[1].replace(/\+0x[0-9a-f]+$/, '').replace('file:///' + process.cwd().replace(/^\//, '') + '/', '');
  return { sym, kernel: m[2] === '[kernel.kallsyms]' };
}

function endSample() {
  if (header === null || frames.length === 0) return;
  total++;
  const kind = header.comm === 'swapper' ? 'idle' : nodePids.has(header.pid) ? 'nodes' : header.pid === args.bench ? 'load generator' : 'other';
  add(role, kind);
  const names = frames.map(frameName);
  add(selfSymbols, names[0].sym);
  if (kind === 'nodes') {
    nodeSamples++;
    if (names[0].kernel) {
      nodeKernelSamples++;
      const path = KERNEL_PATHS.find(([entry]) => names.some((f) => f.sym === entry));
      add(nodeKernel, path === undefined ? 'other kernel work' : path[1]);
    }
    for (const sym of new Set(names.filter((f) => f.sym.startsWith('JS:')).map((f) => f.sym))) add(nodeInclusive, sym);
  }
}

const pct = (n, of) => `${((100 * n) / of).toFixed(1).padStart(5)}%`;
const sorted = (map) => [...map.entries()].sort((a, b) => b[1] - a[1]);

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') {
    endSample();
    header = null;
    frames = [];
  } else if (!/^\s/.test(line)) {
    const m = /^(.*?)\s+(\d+)\/(\d+)\s*$/.exec(line);
    header = m === null ? { comm: line.trim(), pid: '' } : { comm: m[1], pid: m[2] };
  } else {
    frames.push(line);
  }
}
endSample();

if (total === 0) {
  console.log('no samples: did perf record run?');
  process.exit(1);
}
console.log(`== where the CPU went (${args.title}${args.ops ? `, ${args.ops} ops/s` : ''}; ${total} samples over both cores)`);
console.log([...role].map(([k, n]) => `${k} ${pct(n, total).trim()}`).join('   '));
console.log(`\n== hottest symbols, self time, share of all samples`);
for (const [sym, n] of sorted(selfSymbols).slice(0, top)) console.log(`${pct(n, total)}  ${sym}`);
if (nodeSamples === 0) {
  console.log('\nno samples of the nodes (--nodes names their PIDs)');
  process.exit(0);
}
console.log(`\n== the nodes' kernel time: ${pct(nodeKernelSamples, nodeSamples).trim()} of their samples, by way in`);
for (const [path, n] of sorted(nodeKernel)) console.log(`${pct(n, nodeSamples)}  ${path}`);
console.log(`\n== the nodes' JavaScript functions, inclusive, share of the nodes' samples`);
for (const [sym, n] of sorted(nodeInclusive).slice(0, top)) console.log(`${pct(n, nodeSamples)}  ${sym}`);
