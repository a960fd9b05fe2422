/**
 * Security on the RESP port: a connection logs in with AUTH (or HELLO's AUTH option) as one of the
 * cluster's users, and every request a command makes is authorized for that user's role, with the
 * mapping the native client protocol uses (actionOfRequest). Before AUTH, every command but AUTH,
 * HELLO and QUIT answers Redis's `-NOAUTH Authentication required.`; a request the role does not
 * allow answers `-NOPERM ...`. `AUTH password` (no user name) logs in as `root`: there is no
 * Redis "default" user here.
 *
 * A verified (user, password) pair is cached by the Authenticator, so a reconnecting client pays
 * no key derivation; failed attempts are rate-limited per client address.
 */
import { clientError } from '../../protocol/requests.js';
import { authorize } from '../../security/auth.js';
import { actionOfRequest } from '../../security/request-action.js';
import { error, OK, type Reply } from './encoder.js';
import type { RespBackend, ServerFacts, Session } from './types.js';

/** The user `AUTH password` logs in as. */
export const PASSWORD_ONLY_USER = 'root';

export const NOAUTH = error('NOAUTH Authentication required.');
const WRONGPASS = error('WRONGPASS invalid username-password pair or user is disabled.');

/** The backend as one connection may use it: each request authorized for the session's user. */
export function guardedBackend(backend: RespBackend, session: Session, server: Pick<ServerFacts, 'auth'>): RespBackend {
  if (server.auth === undefined) return backend;
  return {
    ...backend,
    submit(request, respond) {
      const principal = session.principal;
      if (principal === null) return respond(clientError('unauthenticated', 'Authentication required.'));
      const allowed = authorize(principal, actionOfRequest(request));
      if (!allowed.ok) return respond(clientError('forbidden', `${principal.user} has no permissions to run this command: ${allowed.message}`));
      backend.submit(request, respond);
    },
  };
}

/**
 * Whether this connection may write `bucket`: the port types a counter or set bucket on first use
 * only for a user who could write it anyway, so a read-only login cannot make buckets appear.
 */
export function mayWrite(server: Pick<ServerFacts, 'auth'>, session: Session, bucket: string): boolean {
  if (server.auth === undefined) return true;
  return session.principal !== null && authorize(session.principal, { kind: 'write', bucket }).ok;
}

/** Whether a command must wait for AUTH: security is on and nobody logged in yet. */
export function needsAuth(server: Pick<ServerFacts, 'auth'>, session: Session, flags: readonly string[]): boolean {
  return server.auth !== undefined && session.principal === null && !flags.includes('no-auth');
}

/** Logs the session in as `user`; `done` gets +OK or Redis's refusal. Security must be on. */
export function logIn(server: Pick<ServerFacts, 'auth'>, session: Session, user: string, password: string, done: (reply: Reply) => void): void {
  const auth = server.auth;
  if (auth === undefined) return done(OK);
  const cached = auth.cached(user, password);
  if (cached !== undefined) {
    session.principal = cached;
    return done(OK);
  }
  session.waitingForLogin ??= [];
  const decided = (reply: Reply): void => {
    done(reply);
    const waiting = session.waitingForLogin ?? [];
    session.waitingForLogin = null;
    for (const run of waiting) run();
  };
  auth.authenticate(user, password, session.remote).then(
    (result) => {
      if (!result.ok) return decided(result.code === 'rate_limited' ? error(`ERR ${result.message}`) : WRONGPASS);
      session.principal = result.principal;
      decided(OK);
    },
    () => decided(WRONGPASS),
  );
}
