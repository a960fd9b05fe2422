/**
 * scripts/syscalls-report.mjs, the table behind scripts/syscalls.sh: perf stat's CSV counts, summed
 * over the nodes and divided by the operations, with write and writev (and both epoll waits) as one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const script = new URL('../../scripts/syscalls-report.mjs', import.meta.url).pathname;

function stat(dir: string, name: string, counts: Record<string, number | string>): string {
  const lines = ['# started on Sun Dec  6 07:00:00 2026', ''];
  for (const [event, value] of Object.entries(counts)) lines.push(`${value},,${event.startsWith('context') ? event : `syscalls:sys_enter_${event}`},5000000000,100.00,,`);
  const file = join(dir, name);
  writeFileSync(file, lines.join('\n'));
  return file;
}

test('syscalls-report sums the nodes, joins write with writev, and divides by the operations', () => {
  const dir = mkdtempSync(join(tmpdir(), 'syscalls-report-'));
  try {
    const a = stat(dir, 'a.csv', { write: 300, writev: 100, pread64: 1000, 'context-switches': 50, epoll_pwait: 20 });
    const b = stat(dir, 'b.csv', { write: 100, pread64: 1000, futex: '<not counted>', 'context-switches': 50, epoll_wait: 20 });
    const bench = stat(dir, 'lg.csv', { write: 250, read: 100 });
    const run = spawnSync(process.execPath, [script, '--ops', '1000', '--seconds', '6', '--nodes', `${a},${b}`, '--bench', bench], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const [, header, nodes, generator] = run.stdout.trim().split('\n');
    assert.match(header!, /socket writes\s+socket reads\s+pread\s+pwrite\s+fdatasync\s+epoll waits\s+futex\s+context switches/);
    assert.deepEqual(nodes!.trim().split(/\s{2,}/), ['nodes (all)', '0.50', '0.00', '2.00', '0.00', '0.00', '0.04', '0.00', '0.10']);
    assert.deepEqual(generator!.trim().split(/\s{2,}/), ['load generator', '0.25', '0.10', '0.00', '0.00', '0.00', '0.00', '0.00', '0.00']);
    assert.equal(spawnSync(process.execPath, [script, '--ops', '0'], { encoding: 'utf8' }).status, 2, 'no operations: refused');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
