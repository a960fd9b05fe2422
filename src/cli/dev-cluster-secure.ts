/**
 * What `dynamo dev-cluster --secure` prepares under its data directory: a CA (DATA/certs/ca), one
 * certificate per node (DATA/certs/nodeI, CN = nodeI, SANs 127.0.0.1 and localhost) and a random
 * root password in DATA/root-password (mode 0600). Files already there from an earlier run with
 * the same --data are kept, so the cluster restarts with its users and certificates.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PemPair } from '../security/certs.js';
import { CERT_FILES } from '../security/tls-files.js';

export interface DevSecurity {
  readonly caFile: string;
  readonly ca: string;
  readonly rootPasswordFile: string;
  readonly rootPassword: string;
  certsDir(node: number): string;
}

function writePair(dir: string, pair: PemPair, certName: string, keyName: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, keyName), pair.keyPem, { mode: 0o600 });
  writeFileSync(join(dir, certName), pair.certPem, { mode: 0o644 });
}

export async function prepareDevSecurity(dataRoot: string, nodes: number, host: string): Promise<DevSecurity> {
  // Loaded on demand: the X.509 library is only needed here and by `dynamo cert`, never by a node.
  const { createCa, createNodeCert } = await import('../security/certs.js');
  const caDir = join(dataRoot, 'certs', 'ca');
  const caFile = join(caDir, CERT_FILES.caCert);
  if (!existsSync(caFile)) writePair(caDir, await createCa(), CERT_FILES.caCert, CERT_FILES.caKey);
  const ca: PemPair = { certPem: readFileSync(caFile, 'utf8'), keyPem: readFileSync(join(caDir, CERT_FILES.caKey), 'utf8') };
  const certsDir = (i: number): string => join(dataRoot, 'certs', `node${i}`);
  for (let i = 1; i <= nodes; i++) {
    if (existsSync(join(certsDir(i), CERT_FILES.nodeCert))) continue;
    writePair(certsDir(i), await createNodeCert(ca, `node${i}`, [host, 'localhost']), CERT_FILES.nodeCert, CERT_FILES.nodeKey);
    writeFileSync(join(certsDir(i), CERT_FILES.caCert), ca.certPem, { mode: 0o644 });
  }
  const rootPasswordFile = join(dataRoot, 'root-password');
  if (!existsSync(rootPasswordFile)) writeFileSync(rootPasswordFile, `${randomBytes(18).toString('base64url')}\n`, { mode: 0o600 });
  const rootPassword = readFileSync(rootPasswordFile, 'utf8').split('\n')[0]!;
  return { caFile, ca: ca.certPem, rootPasswordFile, rootPassword, certsDir };
}
