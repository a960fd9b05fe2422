/**
 * `dynamo cert create-ca` and `dynamo cert create-node`: the certificates of a secure cluster, in
 * the layout `dynamo start --certs-dir DIR` reads (DIR/ca.crt, DIR/node.crt, DIR/node.key).
 * Private keys are written with mode 0600 and never overwritten: a CA key replaced by accident
 * would orphan every node certificate it signed.
 */
import { Command, InvalidArgumentError } from 'commander';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CERT_FILES } from '../security/tls-files.js';

/** Loaded on demand, so that the commands that do not make certificates never load the X.509 library. */
const certs = (): Promise<typeof import('../security/certs.js')> => import('../security/certs.js');

const NODE_ID = /^[A-Za-z0-9._-]{1,64}$/;

function writeSecret(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
}

function refuseOverwrite(...paths: string[]): void {
  const present = paths.filter((p) => existsSync(p));
  if (present.length > 0) throw new Error(`${present.join(' and ')} already exist${present.length === 1 ? 's' : ''}; remove ${present.length === 1 ? 'it' : 'them'} first to make new ones`);
}

function nodeId(value: string): string {
  if (!NODE_ID.test(value)) throw new InvalidArgumentError(`"${value}" is not a node id (letters, digits, '.', '_' or '-', at most 64)`);
  return value;
}

export function certCommand(): Command {
  const cert = new Command('cert').description('make the certificates of a secure cluster (see `dynamo start --certs-dir`)');
  cert
    .command('create-ca')
    .description('make the cluster CA: DIR/ca.crt (give it to every node and client) and DIR/ca.key (keep it secret)')
    .requiredOption('--certs-dir <dir>', 'directory to write ca.crt and ca.key into (created if missing)')
    .action(async (flags: { certsDir: string }) => {
      const certPath = join(flags.certsDir, CERT_FILES.caCert);
      const keyPath = join(flags.certsDir, CERT_FILES.caKey);
      refuseOverwrite(certPath, keyPath);
      mkdirSync(flags.certsDir, { recursive: true });
      const ca = await (await certs()).createCa();
      writeSecret(keyPath, ca.keyPem);
      writeFileSync(certPath, ca.certPem, { mode: 0o644, flag: 'wx' });
      console.log(`wrote ${certPath} and ${keyPath}`);
    });
  cert
    .command('create-node')
    .description("make a node's certificate, signed by the CA of --certs-dir: subject CN = the node id, alternative names = the hosts")
    .requiredOption('--certs-dir <dir>', 'directory holding ca.crt and ca.key')
    .requiredOption('--id <id>', 'the node id (as given to `dynamo start --id`)', nodeId)
    .option('--out <dir>', 'where to write node.crt, node.key and a copy of ca.crt (default: --certs-dir)')
    .argument('<host...>', 'every address or name the node is reached at (IP addresses become IP SANs)')
    .action(async (hosts: string[], flags: { certsDir: string; id: string; out?: string }) => {
      const ca = {
        certPem: readFileSync(join(flags.certsDir, CERT_FILES.caCert), 'utf8'),
        keyPem: readFileSync(join(flags.certsDir, CERT_FILES.caKey), 'utf8'),
      };
      const out = flags.out ?? flags.certsDir;
      const certPath = join(out, CERT_FILES.nodeCert);
      const keyPath = join(out, CERT_FILES.nodeKey);
      refuseOverwrite(certPath, keyPath);
      mkdirSync(out, { recursive: true });
      const pair = await (await certs()).createNodeCert(ca, flags.id, hosts);
      writeSecret(keyPath, pair.keyPem);
      writeFileSync(certPath, pair.certPem, { mode: 0o644, flag: 'wx' });
      // A node reads its CA from its own certs dir, so a pair written elsewhere takes the CA along.
      const caCopy = join(out, CERT_FILES.caCert);
      if (!existsSync(caCopy)) writeFileSync(caCopy, ca.certPem, { mode: 0o644 });
      console.log(`wrote ${certPath} and ${keyPath} for node ${flags.id} (${hosts.join(', ')})`);
    });
  return cert;
}
