// A TCP proxy in front of the sync service that cuts connections at random points: each
// connection dies after a random number of bytes (both directions counted), mid-request or
// mid-answer, as a flaky plant network does. Seeded, so the cut points repeat.
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { mulberry32 } from '../main/core/prng.js';

export interface FlakyProxy {
  readonly url: string;
  /** Connections accepted; those cut on purpose, and in which direction the last bytes were going. */
  readonly stats: { connections: number; cut: number; cutUp: number; cutDown: number; answersLost: number };
  close(): Promise<void>;
}

export interface FlakyOptions {
  seed: number;
  /** A connection dies after a random number of bytes below this (keep-alive connections carry many requests: each is cut some time). */
  maxBytes: number;
  /** Chance that a connection instead dies when one of its first few answers arrives: the server did the work, the client never hears of it. */
  loseAnswer: number;
  /** The answer to the first push through the proxy is lost for sure (the server committed it; the client must send it again). */
  loseFirstPushAnswer?: boolean;
}

export async function startFlakyProxy(targetPort: number, options: FlakyOptions): Promise<FlakyProxy> {
  const random = mulberry32(options.seed);
  const stats = { connections: 0, cut: 0, cutUp: 0, cutDown: 0, answersLost: 0 };
  const sockets = new Set<Socket>();
  let pushAnswerLost = false;
  const server: Server = createServer((client) => {
    stats.connections++;
    const upstream = createConnection({ port: targetPort, host: '127.0.0.1' });
    sockets.add(client).add(upstream);
    const kill = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', () => (sockets.delete(client), upstream.destroy()));
    upstream.on('close', () => (sockets.delete(upstream), client.destroy()));
    client.on('error', kill);
    upstream.on('error', kill);
    let budget = Math.floor(random() * options.maxBytes);
    // The answer (counted in chunks from the server) on which the connection dies, or 0.
    let answerCut = random() < options.loseAnswer ? 1 + Math.floor(random() * 4) : 0;
    let pushSent = false;
    const forward = (from: Socket, to: Socket, up: boolean) => {
      from.on('data', (chunk: Buffer) => {
        if (budget < 0) return; // cut already
        if (up && chunk.subarray(0, 14).toString('latin1') === 'POST /v1/push ') pushSent = true;
        const losePush = !up && pushSent && options.loseFirstPushAnswer === true && !pushAnswerLost;
        if (losePush) pushAnswerLost = true;
        if (!up && (losePush || (answerCut > 0 && --answerCut === 0))) {
          budget = -1;
          stats.answersLost++;
          client.resetAndDestroy();
          upstream.resetAndDestroy();
          return;
        }
        if (chunk.length > budget) {
          // Part of this chunk gets through, then both ends are dropped without a goodbye.
          if (budget > 0) to.write(chunk.subarray(0, budget));
          budget = -1;
          stats.cut++;
          if (up) stats.cutUp++;
          else stats.cutDown++;
          setImmediate(() => {
            client.resetAndDestroy();
            upstream.resetAndDestroy();
          });
          return;
        }
        budget -= chunk.length;
        if (!to.write(chunk)) {
          from.pause();
          to.once('drain', () => from.resume());
        }
      });
    };
    forward(client, upstream, true);
    forward(upstream, client, false);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
