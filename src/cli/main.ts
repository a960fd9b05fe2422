/** The `dynamo` command: one subcommand per file in this folder. */
import { Command } from 'commander';
import { benchCommand } from './bench.js';
import { certCommand } from './cert.js';
import { addClientSecurityOptions, showClientSecurityOptions } from './client-auth.js';
import { userCommand } from './user.js';
import { devClusterCommand } from './dev-cluster.js';
import { kvCommands } from './kv.js';
import { keysCommand } from './keys.js';
import { membershipCommands } from './membership.js';
import { startCommand } from './start.js';
import { statusCommand } from './status.js';
import { backupCommand } from './backup.js';
import { restoreCommand } from './restore.js';
import { ringCommand } from './ring.js';

// Small Buffers (encoded versions, frames, keys, values read from disk) are slices of a shared
// slab; a node allocates a few kilobytes of them per request, so the default 8 KiB slab meant a
// fresh malloc'd slab every few requests. Slices are short-lived, so a larger slab pins little.
Buffer.poolSize = 64 * 1024;

const program = new Command('dynamo')
  .description('Dynamo-style always-writable replicated key-value store')
  .version('0.1.0')
  .showHelpAfterError()
  .configureHelp({ showGlobalOptions: true });
addClientSecurityOptions(program);
program.addCommand(startCommand());
program.addCommand(devClusterCommand());
program.addCommand(statusCommand());
program.addCommand(benchCommand());
program.addCommand(keysCommand());
program.addCommand(certCommand());
program.addCommand(userCommand());
program.addCommand(backupCommand());
program.addCommand(restoreCommand());
program.addCommand(ringCommand());
for (const command of [...kvCommands(), ...membershipCommands()]) program.addCommand(command);

showClientSecurityOptions(program);
program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`dynamo: ${(err as Error).message}`);
  process.exit(1);
});
