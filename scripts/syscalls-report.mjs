// The table behind scripts/syscalls.sh: per operation, the syscalls and context switches that
// `perf stat -x,` counted for each role. Arguments: --ops N (operations in the sampled time),
// --nodes FILE,FILE,... (one perf stat CSV per node, summed) and --bench FILE (the load generator's).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    ops: { type: 'string' },
    seconds: { type: 'string', default: '' },
    nodes: { type: 'string', default: '' },
    bench: { type: 'string', default: '' },
  },
});
const ops = Number(args.ops);
if (!(ops > 0)) {
  console.error('syscalls-report: --ops must be a positive number of operations');
  process.exit(2);
}

/** Event → count from one `perf stat -x,` file (lines: value,unit,event,...; comments and "<not counted>" skipped). */
function counts(file) {
  const c = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [value, , event] = line.split(',');
    if (event === undefined || !/^\d+$/.test(value)) continue;
    const name = event.replace('syscalls:sys_enter_', '');
    c[name] = (c[name] ?? 0) + Number(value);
  }
  return c;
}

function sum(list) {
  const total = {};
  for (const c of list) for (const k in c) total[k] = (total[k] ?? 0) + c[k];
  return total;
}

const columns = [
  ['socket writes', (c) => (c.write ?? 0) + (c.writev ?? 0)],
  ['socket reads', (c) => c.read ?? 0],
  ['pread', (c) => c.pread64 ?? 0],
  ['pwrite', (c) => c.pwrite64 ?? 0],
  ['fdatasync', (c) => c.fdatasync ?? 0],
  ['epoll waits', (c) => (c.epoll_wait ?? 0) + (c.epoll_pwait ?? 0)],
  ['futex', (c) => c.futex ?? 0],
  ['context switches', (c) => c['context-switches'] ?? 0],
];
const rows = [];
if (args.nodes !== '') rows.push(['nodes (all)', sum(args.nodes.split(',').map(counts))]);
if (args.bench !== '') rows.push(['load generator', counts(args.bench)]);

const width = (name) => name.length + 2;
const over = args.seconds === '' ? '' : ` over ${args.seconds} s`;
console.log(`per operation (${ops} operations${over}):`);
console.log(''.padEnd(16) + columns.map(([name]) => name.padStart(width(name))).join(''));
for (const [label, c] of rows) console.log(label.padEnd(16) + columns.map(([name, f]) => (f(c) / ops).toFixed(2).padStart(width(name))).join(''));
