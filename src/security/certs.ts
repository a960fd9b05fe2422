/**
 * The cluster's certificates: one CA per cluster, and per node a certificate whose subject CN is
 * the node id and whose subject alternative names are the hosts it is reached at (IP addresses as
 * IP SANs, names as DNS SANs). Keys are ECDSA P-256: small, fast to make, and what TLS 1.3 likes.
 *
 * The X.509 encoding is @peculiar/x509 on Node's WebCrypto, so no ASN.1 is written by hand here.
 * This file makes PEM text (cert-info.ts reads it); writing the files (and their modes) is
 * cli/cert.ts's job. Only the cert CLI and dev-cluster load it: a node needs Node's parser alone.
 */
// @peculiar/x509 resolves its ASN.1 classes through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';
import { assert } from '../core/assert.js';

type CryptoKey = webcrypto.CryptoKey;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const CA_YEARS = 10;
const NODE_YEARS = 5;
/** A node id goes into a CN and a log line: keep it printable and short. */
const NODE_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export interface PemPair {
  readonly certPem: string;
  readonly keyPem: string;
}

function serial(): string {
  // A positive 16-byte serial: the top bit cleared so DER keeps it unsigned.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0]! & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

function yearsFrom(now: Date, years: number): Date {
  const end = new Date(now);
  end.setUTCFullYear(end.getUTCFullYear() + years);
  return end;
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importKeyPem(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decode(pem)[0];
  if (der === undefined) throw new Error('no PEM block in the CA key');
  return webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, false, ['sign']);
}

export async function createCa(now: Date = new Date()): Promise<PemPair> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=dynamo cluster CA',
    notBefore: now,
    notAfter: yearsFrom(now, CA_YEARS),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportKeyPem(keys.privateKey) };
}

export function validNodeId(id: string): boolean {
  return NODE_ID_PATTERN.test(id);
}

/** A node's pair, signed by the CA: CN = id, SANs = hosts, usable as TLS server and client. */
export async function createNodeCert(ca: PemPair, id: string, hosts: readonly string[], now: Date = new Date()): Promise<PemPair> {
  assert(validNodeId(id), `a node id of letters, digits, '.', '_' or '-' (1..64), got ${JSON.stringify(id)}`);
  assert(hosts.length > 0, 'a node certificate names at least one host');
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await importKeyPem(ca.keyPem);
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const names = hosts.map((host) => ({ type: isIP(host) === 0 ? 'dns' : 'ip', value: host }) as x509.JsonGeneralName);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${id}`,
    issuer: caCert.subject,
    notBefore: now,
    notAfter: yearsFrom(now, NODE_YEARS),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportKeyPem(keys.privateKey) };
}
