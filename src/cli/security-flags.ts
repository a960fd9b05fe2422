/**
 * The security flags of `dynamo start`, checked once before anything opens: --certs-dir (mutual
 * TLS, HTTPS, authentication), --insecure (plain, said out loud), --tls-transitional (rolling
 * enablement) and --root-password-file. A node on a non-loopback host with neither --certs-dir
 * nor --insecure refuses to start: an open node on a network must be a decision, not a default.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { NodeSecurity } from '../api/node-server.js';
import { loadTlsMaterial } from '../security/tls-files.js';
import { MAX_PASSWORD_BYTES } from '../security/passwords.js';

export interface SecurityFlags {
  id: string;
  host: string;
  certsDir?: string;
  insecure?: boolean;
  tlsTransitional?: boolean;
  rootPasswordFile?: string;
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** Reads a password file: its first line, without the line end; refuses an empty one. */
export function readPasswordFile(path: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const password = text.split(/\r?\n/)[0] ?? '';
  if (password.length === 0) throw new Error(`${what} ${path} is empty`);
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) throw new Error(`${what} ${path} holds more than ${MAX_PASSWORD_BYTES} bytes`);
  return password;
}

/** undefined: run plain. Throws an Error whose message is the sentence to print. */
export function resolveSecurity(flags: SecurityFlags): NodeSecurity | undefined {
  if (flags.certsDir !== undefined && flags.insecure === true) throw new Error('give either --certs-dir or --insecure, not both');
  if (flags.tlsTransitional === true && flags.certsDir === undefined) throw new Error('--tls-transitional needs --certs-dir (the certificates to switch to)');
  if (flags.certsDir === undefined) {
    if (flags.insecure !== true && !isLoopback(flags.host)) {
      throw new Error(
        `refusing to listen on ${flags.host} without security: start with --certs-dir DIR (certificates made with \`dynamo cert create-ca\` and \`dynamo cert create-node\`) or, to run plain on purpose, with --insecure`,
      );
    }
    if (flags.rootPasswordFile !== undefined) throw new Error('--root-password-file needs --certs-dir (an insecure node has no users)');
    return undefined;
  }
  const tls = loadTlsMaterial(flags.certsDir, flags.id);
  if (!tls.ok) throw new Error(tls.error);
  return {
    tls: tls.material,
    mode: flags.tlsTransitional === true ? 'transitional' : 'strict',
    ...(flags.rootPasswordFile === undefined ? {} : { rootPassword: readPasswordFile(flags.rootPasswordFile, '--root-password-file') }),
  };
}
