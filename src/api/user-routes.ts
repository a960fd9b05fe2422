/**
 * /admin/users: PUT /admin/users/{name} {"password", "role", "buckets"?}, GET /admin/users,
 * GET and DELETE /admin/users/{name}. The password is hashed here, at the edge, before the node
 * sees the change (core/users holds hashes only); the node spreads the change cluster-wide.
 *
 * Changes are taken only by a node that authenticates its clients: on a plain node (or one still in
 * --tls-transitional) anyone could add an admin who would become valid once security is on.
 */
import { ROLES, USER_NAME_PATTERN, MAX_USER_BUCKETS, liveUser, liveUsers, type Role } from '../core/users/index.js';
import type { NodeRuntime } from '../runtime/node-runtime.js';
import { hashPassword, MAX_PASSWORD_BYTES } from '../security/passwords.js';
import { badRequest, sendJson, type Send } from './send.js';

interface UserBody {
  password: string;
  role: Role;
  buckets: string[] | null;
}

function parseUserBody(raw: unknown): UserBody | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'the body must be JSON {"password": "...", "role": "read"|"readwrite"|"admin", "buckets": [...]}';
  const { password, role, buckets } = raw as Record<string, unknown>;
  if (typeof password !== 'string' || password.length === 0 || Buffer.byteLength(password) > MAX_PASSWORD_BYTES) return `"password" must be a string of 1..${MAX_PASSWORD_BYTES} bytes`;
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) return `"role" must be one of ${ROLES.join(', ')}`;
  if (buckets !== undefined && buckets !== null) {
    if (!Array.isArray(buckets) || buckets.length > MAX_USER_BUCKETS || !buckets.every((b) => typeof b === 'string' && b.length > 0 && b.length <= 512)) {
      return `"buckets" must be a list of at most ${MAX_USER_BUCKETS} bucket names`;
    }
  }
  return { password, role: role as Role, buckets: buckets === undefined || buckets === null ? null : [...new Set(buckets as string[])] };
}

export async function userRoutes(runtime: NodeRuntime, method: string, path: readonly string[], body: () => Promise<Buffer>, send: Send, authenticated: boolean): Promise<void> {
  const table = runtime.node.users.table();
  if ((method === 'PUT' || method === 'DELETE') && !authenticated) {
    return sendJson(send, 403, { error: 'users can be changed only through a node started with --certs-dir (and without --tls-transitional)', code: 'forbidden' });
  }
  if (path.length === 2) {
    if (method !== 'GET') return sendJson(send, 405, { error: `method ${method} is not supported on /admin/users`, code: 'bad_request' }, { allow: 'GET' });
    return sendJson(send, 200, { users: liveUsers(table).map(([name, e]) => ({ name, role: e.role, buckets: e.buckets })) });
  }
  const name = path.slice(2).join('/');
  if (!USER_NAME_PATTERN.test(name)) return badRequest(send, 'a user name is 1..64 letters, digits, ".", "_", "@" or "-"');
  switch (method) {
    case 'GET': {
      const entry = liveUser(table, name);
      if (entry === undefined) return sendJson(send, 404, { error: `no user ${name}`, code: 'not_found' });
      return sendJson(send, 200, { name, role: entry.role, buckets: entry.buckets });
    }
    case 'PUT': {
      let raw: unknown;
      try {
        raw = JSON.parse((await body()).toString('utf8'));
      } catch {
        return badRequest(send, 'the body must be JSON {"password": "...", "role": "...", "buckets": [...]}');
      }
      const parsed = parseUserBody(raw);
      if (typeof parsed === 'string') return badRequest(send, parsed);
      const hash = await hashPassword(parsed.password);
      if (!runtime.changeUser(name, { kind: 'put', role: parsed.role, buckets: parsed.buckets, hash })) {
        return sendJson(send, 507, { error: 'the users table is full', code: 'too_many_users' });
      }
      return sendJson(send, 200, { name, role: parsed.role, buckets: parsed.buckets });
    }
    case 'DELETE': {
      if (liveUser(table, name) === undefined) return sendJson(send, 404, { error: `no user ${name}`, code: 'not_found' });
      runtime.changeUser(name, { kind: 'remove' });
      return sendJson(send, 200, { name, removed: true });
    }
    default:
      return sendJson(send, 405, { error: `method ${method} is not supported on /admin/users/{name}`, code: 'bad_request' }, { allow: 'GET, PUT, DELETE' });
  }
}
