/**
 * scripts/perf-report.mjs, the summary behind scripts/profile.sh: samples are split by role from
 * their PIDs, kernel time of the nodes is named by the syscall it came through, and a JavaScript
 * function counts once per sample in the inclusive table, however deep it recurs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const script = new URL('../../scripts/perf-report.mjs', import.meta.url).pathname;

function sample(header: string, frames: string[]): string {
  return `${header}\n${frames.map((f) => `\t    ${f}\n`).join('')}\n`;
}

const input = [
  sample('swapper 0/0', ['ffffffff8133cf8d pv_native_safe_halt+0xd ([kernel.kallsyms])']),
  sample('node 100/100', [
    'ffffffff82242800 copy_folio_from_iter_atomic+0x0 ([kernel.kallsyms])',
    'ffffffff816dc483 __x64_sys_pwrite64+0xa3 ([kernel.kallsyms])',
    '7fb4770f8285 JS:*commitNow file:///x/dist/storage/log.js:224:14 (/tmp/perf-100.map)',
  ]),
  sample('node 101/105', [
    '7fb4770fe92b JS:*walk file:///x/dist/a.js:1:1 (/tmp/perf-101.map)',
    '7fb4770fe92c JS:*walk file:///x/dist/a.js:1:1 (/tmp/perf-101.map)',
    '14ce0dc Builtins_JSEntryTrampoline (/usr/bin/node)',
  ]),
  sample('node 200/200', ['7fb4770fe92b JS:*encodeHotRequest file:///x/dist/client/hot-wire.js:127:33 (/tmp/perf-200.map)']),
].join('');

test('perf-report splits samples by role, names kernel paths, and counts inclusive time once per sample', () => {
  const run = spawnSync(process.execPath, [script, '--nodes', '100,101', '--bench', '200', '--title', 't'], { input, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const out = run.stdout;
  assert.match(out, /idle 25\.0%\s+nodes 50\.0%\s+load generator 25\.0%\s+other 0\.0%/);
  assert.match(out, /50\.0%\s+pwrite \(log appends\)/, 'one of the two node samples is kernel time under pwrite');
  assert.match(out, /50\.0%\s+JS:\*walk/, 'a recursive frame counts once');
  assert.doesNotMatch(out.split("the nodes' JavaScript")[1]!, /encodeHotRequest/, 'the load generator is not a node');
});

test('perf-report says so when perf recorded nothing', () => {
  const run = spawnSync(process.execPath, [script], { input: '', encoding: 'utf8' });
  assert.equal(run.status, 1);
  assert.match(run.stdout, /no samples/);
});
