/**
 * A node's TLS material, read once at start from its certs dir and checked before any port opens:
 * a node whose certificate names another id, or was signed by another CA, would only fail later at
 * every handshake, so it refuses to start with a sentence saying which file is wrong.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signedBy, summarize } from './cert-info.js';

export const CERT_FILES = { caCert: 'ca.crt', caKey: 'ca.key', nodeCert: 'node.crt', nodeKey: 'node.key' } as const;

/** The PEM texts node:tls takes: the cluster CA, this node's certificate and key. */
export interface TlsMaterial {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export type TlsLoad = { readonly ok: true; readonly material: TlsMaterial } | { readonly ok: false; readonly error: string };

function readText(path: string): string | { error: string } {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    return { error: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
}

export function loadTlsMaterial(certsDir: string, nodeId: string): TlsLoad {
  const texts: string[] = [];
  for (const name of [CERT_FILES.caCert, CERT_FILES.nodeCert, CERT_FILES.nodeKey]) {
    const text = readText(join(certsDir, name));
    if (typeof text !== 'string') return { ok: false, error: `${text.error} (make it with \`dynamo cert\`)` };
    texts.push(text);
  }
  const [ca, cert, key] = texts as [string, string, string];
  try {
    // ca.crt may hold several CAs (while rotating the CA): each must be one, and one signed node.crt.
    const cas = ca.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
    if (cas.length === 0 || !cas.every((c) => summarize(c).isCa)) return { ok: false, error: `${join(certsDir, CERT_FILES.caCert)} is not a CA certificate` };
    if (!cas.some((c) => signedBy(cert, c))) return { ok: false, error: `${join(certsDir, CERT_FILES.nodeCert)} was not signed by the CA in ${join(certsDir, CERT_FILES.caCert)}` };
    const cn = summarize(cert).commonName;
    if (cn !== nodeId) return { ok: false, error: `${join(certsDir, CERT_FILES.nodeCert)} names node ${JSON.stringify(cn)}, not --id ${nodeId}` };
  } catch (err) {
    return { ok: false, error: `unreadable certificate in ${certsDir}: ${(err as Error).message}` };
  }
  return { ok: true, material: { ca, cert, key } };
}
