/** `dynamo user add|list|remove --node URL`: the cluster's users, through any node's /admin/users (needs an admin). */
import { Command } from 'commander';
import { ROLES } from '../core/users/index.js';
import { nodeFetch } from './client-auth.js';
import { nodeUrl, oneOf } from './options.js';
import { readPasswordFile } from './security-flags.js';

async function call(url: string, method: string, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await nodeFetch(url, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  } catch (err) {
    console.error(`cannot reach ${url}: ${(err as Error).message}`);
    process.exit(2);
  }
  const text = await res.text();
  if (!res.ok) {
    console.error(`${res.status} ${text}`);
    process.exit(1);
  }
  return JSON.parse(text) as unknown;
}

/** The first line of stdin, when the new password is piped in (neither flag given). */
async function passwordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new Error('give the new password with --new-password-file FILE, --new-password, or on stdin');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (password.length === 0) throw new Error('the new password read from stdin is empty');
  return password;
}

function bucketList(value: string): string[] {
  return value.split(',').map((b) => b.trim()).filter((b) => b.length > 0);
}

export function userCommand(): Command {
  const user = new Command('user').description("manage the cluster's users (the caller needs the admin role: --user root --password-file ...)");
  user
    .command('add')
    .description('create a user or replace its password, role and buckets')
    .requiredOption('--node <url>', 'any node, e.g. https://127.0.0.1:7101', nodeUrl)
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`, oneOf(...ROLES))
    .option('--new-password-file <file>', "a file holding the new user's password")
    .option('--new-password <password>', 'the new password itself (visible to other local users in the process list; prefer the file, or give it on stdin)')
    .option('--buckets <b1,b2,...>', 'the only buckets the user may use (default: all)', bucketList)
    .argument('<name>')
    .action(async (name: string, flags: { node: string; role: string; newPasswordFile?: string; newPassword?: string; buckets?: string[] }) => {
      if (flags.newPasswordFile !== undefined && flags.newPassword !== undefined) throw new Error('give the new password with one of --new-password-file or --new-password, not both');
      const password = flags.newPassword ?? (flags.newPasswordFile === undefined ? await passwordFromStdin() : readPasswordFile(flags.newPasswordFile, '--new-password-file'));
      await call(`${flags.node}/admin/users/${encodeURIComponent(name)}`, 'PUT', { password, role: flags.role, ...(flags.buckets === undefined ? {} : { buckets: flags.buckets }) });
      console.log(`user ${name} (${flags.role}${flags.buckets === undefined ? '' : `, buckets ${flags.buckets.join(',')}`}) stored; every node knows within a few gossip rounds`);
    });
  user
    .command('list')
    .description('list the users, their roles and buckets')
    .requiredOption('--node <url>', 'any node', nodeUrl)
    .action(async (flags: { node: string }) => {
      const body = (await call(`${flags.node}/admin/users`, 'GET')) as { users: { name: string; role: string; buckets: string[] | null }[] };
      for (const u of body.users) console.log(`${u.name}\t${u.role}\t${u.buckets === null ? '*' : u.buckets.join(',')}`);
    });
  user
    .command('remove')
    .description('remove a user')
    .requiredOption('--node <url>', 'any node', nodeUrl)
    .argument('<name>')
    .action(async (name: string, flags: { node: string }) => {
      await call(`${flags.node}/admin/users/${encodeURIComponent(name)}`, 'DELETE');
      console.log(`user ${name} removed`);
    });
  return user;
}
