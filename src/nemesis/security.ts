/**
 * `--secure`: what a nemesis run needs to drive a secure cluster. A CA and one certificate per node
 * (CN = the node's id, SAN = its loopback address) under the run's data directory, a random root
 * password, and each node's certs dir owned by the node's own uid (the nodes run under uids of
 * their own as root, and a private key is mode 0600). The harness then speaks HTTPS trusting the
 * CA, authenticated as root: the checker reads /admin/local, which needs admin. The cart clients
 * authenticate as a readwrite user made through the API, so the users table replicated between the
 * nodes, and its copy on disk across SIGKILL and restart, is on every request's path.
 */
import { randomBytes } from 'node:crypto';
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assert } from '../core/assert.js';
import { CERT_FILES } from '../security/tls-files.js';
import type { HttpAccess } from './access.js';
import { httpGet, httpJson } from './http-client.js';
import type { NodeProcesses, NodeSecurity, NodeSpec } from './processes.js';

const ROOT_PASSWORD_FILE = 'root-password';

function write(path: string, text: string, mode: number, uid: number | null): void {
  writeFileSync(path, text, { mode });
  if (uid !== null) chownSync(path, uid, uid);
}

/** Makes the run's certificates and root password; the returned flags and access are what `nodes.secure` takes. */
export async function prepareSecurity(nodes: NodeProcesses): Promise<NodeSecurity> {
  // Loaded on demand, as in dev-cluster: only a secure run needs the X.509 library.
  const { createCa, createNodeCert } = await import('../security/certs.js');
  const root = join(nodes.dataRoot, 'certs');
  assert(nodes.specs.length > 0, 'a secure run has nodes to secure');
  const ca = await createCa();
  // Each node's uid must reach its own dir; the CA's key stays root's.
  mkdirSync(root, { mode: 0o755 });
  mkdirSync(join(root, 'ca'), { mode: 0o700 });
  write(join(root, 'ca', CERT_FILES.caCert), ca.certPem, 0o644, null);
  write(join(root, 'ca', CERT_FILES.caKey), ca.keyPem, 0o600, null);
  const password = randomBytes(18).toString('base64url');
  const asRoot = process.getuid?.() === 0;
  const dirOf = (spec: NodeSpec): string => join(root, spec.id);
  for (const spec of nodes.specs) {
    const dir = dirOf(spec);
    const owner = asRoot ? spec.uid : null;
    mkdirSync(dir, { mode: 0o700 });
    if (owner !== null) chownSync(dir, owner, owner);
    const pair = await createNodeCert(ca, spec.id, [spec.host]);
    write(join(dir, CERT_FILES.caCert), ca.certPem, 0o644, owner);
    write(join(dir, CERT_FILES.nodeCert), pair.certPem, 0o644, owner);
    write(join(dir, CERT_FILES.nodeKey), pair.keyPem, 0o600, owner);
    write(join(dir, ROOT_PASSWORD_FILE), `${password}\n`, 0o600, owner);
  }
  const access: HttpAccess = { kind: 'secure', ca: ca.certPem, auth: { user: 'root', password } };
  return { access, args: (spec) => ['--certs-dir', dirOf(spec), '--root-password-file', join(dirOf(spec), ROOT_PASSWORD_FILE)] };
}

const CART_USER = 'cart';
const USER_SPREAD_MS = 30_000;

/**
 * Creates the cart clients' user (role readwrite) on node 1 and waits until every node lets it
 * read: users spread by gossip, and a node that has not heard of it yet would refuse the clients.
 */
export async function addCartUser(nodes: NodeProcesses, bucket: string): Promise<HttpAccess> {
  const admin = nodes.access;
  assert(admin.kind === 'secure', 'a cart user exists only on a secure run');
  const password = randomBytes(18).toString('base64url');
  const body = JSON.stringify({ password, role: 'readwrite' });
  const made = await httpJson(`${nodes.url(1)}/admin/users/${CART_USER}`, admin, { method: 'PUT', headers: { 'content-type': 'application/json' }, body });
  if (made === null) throw new Error(`could not create the user ${CART_USER} on n1`);
  const access: HttpAccess = { kind: 'secure', ca: admin.ca, auth: { user: CART_USER, password } };
  const deadline = Date.now() + USER_SPREAD_MS;
  for (const spec of nodes.specs) {
    for (;;) {
      const read = await httpGet(nodes.url(spec.index), bucket, 'user-probe', { timeoutMs: 5000 }, access);
      if (read.ok) break;
      if (Date.now() > deadline) throw new Error(`${spec.id} did not let ${CART_USER} read within ${USER_SPREAD_MS} ms: ${read.error}`);
      await new Promise((done) => setTimeout(done, 200));
    }
  }
  return access;
}
