/**
 * What a certificate says about its holder, read with Node's own X.509 parser (the one its TLS
 * uses), so a running node never loads the library that makes certificates.
 */
import { X509Certificate as NodeX509 } from 'node:crypto';

export interface CertSummary {
  readonly commonName: string | null;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly isCa: boolean;
}

export function summarize(certPem: string): CertSummary {
  const cert = new NodeX509(certPem);
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject);
  const sans = (cert.subjectAltName ?? '').split(', ').filter((s) => s.length > 0);
  return {
    commonName: cn?.[1] ?? null,
    dnsNames: sans.filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4)),
    ipAddresses: sans.filter((s) => s.startsWith('IP Address:')).map((s) => s.slice('IP Address:'.length)),
    isCa: cert.ca,
  };
}

/** True when `certPem` was signed by the CA of `caPem`. */
export function signedBy(certPem: string, caPem: string): boolean {
  return new NodeX509(certPem).verify(new NodeX509(caPem).publicKey);
}
