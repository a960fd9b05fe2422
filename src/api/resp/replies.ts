/** Error replies with Redis's exact wording, shared by the command families. */
import { error, type Reply } from './encoder.js';

export function wrongArity(command: string): Reply {
  return error(`ERR wrong number of arguments for '${command}' command`);
}

export function syntaxError(): Reply {
  return error('ERR syntax error');
}

export function notInteger(): Reply {
  return error('ERR value is not an integer or out of range');
}

/** Redis's reply to a name it does not know: the name and the start of the arguments, quoted. */
export function unknownCommand(args: readonly Buffer[]): Reply {
  const name = args[0]!.toString('utf8').slice(0, 128);
  let rest = '';
  for (let i = 1; i < args.length && rest.length < 128; i++) rest += `'${args[i]!.toString('utf8').slice(0, 128 - rest.length)}' `;
  return error(`ERR unknown command '${name}', with args beginning with: ${rest}`);
}

export function unknownSubcommand(command: string, sub: Buffer): Reply {
  return error(`ERR unknown subcommand '${sub.toString('utf8').slice(0, 128)}'. Try ${command.toUpperCase()} HELP.`);
}

export function tooManyKeys(limit: number): Reply {
  return error(`ERR too many keys in one command (at most ${limit}; each key is its own request to the cluster)`);
}
