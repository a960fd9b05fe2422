/** `dynamo dev-cluster --secure` as a user runs it: HTTPS URLs and a curl line that works (ports 30400-30699). */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { secureFetch } from '../../src/security/https-fetch.js';
import { BIN } from './secure-cluster.js';

const dataRoot = mkdtempSync(join(tmpdir(), 'dynamo-secure-dev-'));
let child: ChildProcess | null = null;

after(async () => {
  if (child !== null && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dataRoot, { recursive: true, force: true });
});

test('dev-cluster --secure prints HTTPS URLs and a curl example that authenticates as root', async () => {
  const output = await new Promise<string>((resolve, reject) => {
    child = spawn(process.execPath, [BIN, 'dev-cluster', '--secure', '--base-port', '30400', '--data', dataRoot, '--storage', 'memory'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no ready line: ${text}`)), 90_000);
    const collect = (d: Buffer): void => {
      text += d.toString();
      if (text.includes('stop with Ctrl-C')) {
        clearTimeout(timer);
        resolve(text);
      }
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.once('exit', () => reject(new Error(`dev-cluster exited: ${text}`)));
  });
  const passwordFile = join(dataRoot, 'root-password');
  assert.equal(statSync(passwordFile).mode & 0o777, 0o600);
  assert.match(output, /https:\/\/127\.0\.0\.1:30501/);
  assert.ok(output.includes(`curl --cacert ${join(dataRoot, 'certs', 'ca', 'ca.crt')} -u root:$(cat ${passwordFile})`), output);
  const password = readFileSync(passwordFile, 'utf8').trim();
  const ca = readFileSync(join(dataRoot, 'certs', 'ca', 'ca.crt'), 'utf8');
  const auth = { user: 'root', password };
  assert.equal((await secureFetch('https://127.0.0.1:30501/kv/demo/greeting', { method: 'PUT', body: 'hello', ca, auth })).status, 204);
  const read = await secureFetch('https://127.0.0.1:30502/kv/demo/greeting', { ca, auth });
  assert.equal(await read.text(), 'hello');
  assert.equal((await secureFetch('https://127.0.0.1:30502/kv/demo/greeting', { ca })).status, 401);
  // The printed line itself, through a real curl when the machine has one.
  if (existsSync('/usr/bin/curl')) {
    const line = output.split('\n').find((l) => l.startsWith('try:'))!.slice(4).split(' ; ')[1]!;
    assert.equal(execFileSync('bash', ['-c', line], { encoding: 'utf8' }), 'hello');
  }
});
