/**
 * The security options every client command takes (--ca-cert, --user, --password-file, or the
 * password in DYNAMO_PASSWORD), declared once on the `dynamo` program and read by `nodeFetch`,
 * which every command uses to talk to a node.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import type { ClientSecurity as LibrarySecurity } from '../protocol/client-auth-frame.js';
import { secureFetch, type Credentials, type SecureInit } from '../security/https-fetch.js';
import { readPasswordFile } from './security-flags.js';

interface GlobalFlags {
  caCert?: string;
  user?: string;
  passwordFile?: string;
}

interface ClientSecurity {
  ca?: string;
  auth?: Credentials;
}

let current: ClientSecurity = {};

export function addClientSecurityOptions(program: Command): void {
  program
    .option('--ca-cert <file>', 'client commands: the cluster CA (ca.crt) to trust for https:// nodes')
    .option('--user <name>', 'client commands: the user to authenticate as (HTTP Basic)')
    .option('--password-file <file>', "client commands: a file holding --user's password (or set DYNAMO_PASSWORD)")
    .hook('preAction', () => {
      current = resolveClientSecurity(program.opts<GlobalFlags>(), process.env.DYNAMO_PASSWORD);
    });
}

/** Every subcommand's --help lists the security options too (commander shows a parent's options only when asked). */
export function showClientSecurityOptions(command: Command): void {
  command.configureHelp({ showGlobalOptions: true });
  for (const sub of command.commands) showClientSecurityOptions(sub);
}

export function resolveClientSecurity(flags: GlobalFlags, envPassword: string | undefined): ClientSecurity {
  const out: ClientSecurity = {};
  if (flags.caCert !== undefined) {
    try {
      out.ca = readFileSync(flags.caCert, 'utf8');
    } catch (err) {
      throw new Error(`cannot read --ca-cert ${flags.caCert}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  if (flags.user === undefined) {
    if (flags.passwordFile !== undefined) throw new Error('--password-file needs --user');
    return out;
  }
  const password = flags.passwordFile !== undefined ? readPasswordFile(flags.passwordFile, '--password-file') : envPassword;
  if (password === undefined || password.length === 0) throw new Error(`--user ${flags.user} needs --password-file FILE or DYNAMO_PASSWORD`);
  out.auth = { user: flags.user, password };
  return out;
}

/** The CA and credentials given on the command line, in the TypeScript client's shape (`dynamo bench`). */
export function clientSecurity(): LibrarySecurity {
  return { ...(current.ca === undefined ? {} : { tls: { ca: current.ca } }), ...(current.auth === undefined ? {} : { auth: current.auth }) };
}

export interface NodeFetchInit {
  readonly method?: string;
  readonly body?: string | Uint8Array;
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

export function nodeFetch(url: string, init: NodeFetchInit = {}): Promise<Response> {
  const secure: SecureInit = {
    ...(init.method === undefined ? {} : { method: init.method }),
    ...(init.body === undefined ? {} : { body: init.body }),
    ...(init.headers === undefined ? {} : { headers: init.headers }),
    timeoutMs: init.timeoutMs ?? 10_000,
    ...current,
  };
  return secureFetch(url, secure);
}
