/**
 * Prints a `DESK_AGENTS` entry (`id:Display name:scryptHash`) for an agent of the web console.
 *
 * Usage: npx tsx scripts/hashDeskPassword.ts <id> "<Display name>"
 * The password is read from standard input (typed without echo on a terminal, or piped: `printf %s "$PW" | ...`);
 * it is never taken from the command line, where it would end up in the shell history.
 */
import { hashDeskPassword } from '../bots/console/deskPassword';
import { parseDeskAgents } from '../bots/console/deskAgents';

function readPassword(): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    return new Promise((resolve, reject) => {
      let data = '';
      stdin.setEncoding('utf8');
      stdin.on('data', (chunk: string) => (data += chunk));
      stdin.on('end', () => resolve(data.replace(/\r?\n$/, '')));
      stdin.on('error', reject);
    });
  }
  return new Promise((resolve) => {
    process.stderr.write('Password (not shown): ');
    let data = '';
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.resume();
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\u0003') process.exit(130);
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.removeListener('data', onData);
          process.stderr.write('\n');
          resolve(data);
          return;
        }
        data = ch === '\u007f' ? data.slice(0, -1) : data + ch;
      }
    };
    stdin.on('data', onData);
  });
}

async function main(): Promise<void> {
  const [id, displayName] = process.argv.slice(2);
  if (!id || !displayName) {
    console.error('Usage: npx tsx scripts/hashDeskPassword.ts <id> "<Display name>"   (password on stdin)');
    process.exit(2);
  }
  const password = await readPassword();
  if (password.length < 12) {
    console.error('The password must have at least 12 characters.');
    process.exit(2);
  }
  const entry = `${id}:${displayName}:${await hashDeskPassword(password)}`;
  parseDeskAgents(entry); // fails here, not at start-up, on a bad id or name
  process.stdout.write(`${entry}\n`);
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
