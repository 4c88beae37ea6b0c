// The `plantdesk` CLI run in this process with its own output streams (and a signal for commands
// that run until stopped), for tests of single commands; test/cli.test.ts runs the built binary.
import { Writable } from 'node:stream';
import { main } from '../main/cli/main.js';

export async function runCli(args: string[], signal?: AbortSignal, onOutput?: (text: string) => void) {
  let out = '';
  let err = '';
  const stream = (add: (s: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        add(String(chunk));
        done();
      },
    });
  const code = await main(
    args,
    stream((s) => {
      out += s;
      onOutput?.(out);
    }),
    stream((s) => (err += s)),
    signal,
  );
  return { code, out, err, lines: out.split('\n').filter(Boolean) };
}
