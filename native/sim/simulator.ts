/**
 * The base of every serial-device simulator: a device on the far end of a pseudo-terminal, behind
 * a stable path the app opens like a USB-serial adapter.
 *
 *   const sim = await new MtSicsSimulator({ state: { weightKg: 12.345 } }).start();
 *   sim.path                     stable symlink (default <private folder>/<name>, see defaultSimDir) → the current /dev/pts/N
 *   sim.mode = 'split'           how frames are written: 'normal' one write per frame; 'split' each frame in
 *                                2–3 writes with small delays; 'merged' several frames in one write
 *   await sim.unplug()           the app's open port hangs up (DISCONNECTED) and the symlink disappears
 *   await sim.replug()           a new pty behind the same symlink: the app can open `path` again
 *   await sim.garbage(20)        line noise (20 seeded random bytes, or the bytes given) into the stream
 *   sim.receivedText(), sim.onReceive(fn), await sim.waitForReceived('S\r\n')   what the app sent
 *   await sim.close()            stops timers, closes the pty, removes the symlink
 *
 * While unplugged a device keeps running (streaming scales keep their timers) but what it writes is
 * lost, as on a pulled cable. Ptys carry bytes, not baud rate or parity.
 */
import { lstatSync, mkdirSync, renameSync, rmSync, symlinkSync, type Stats } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { openPty, type PtyPair } from './pty.js';
import { mulberry32 as seeded } from '../../main/core/prng.js';

export type WriteMode = 'normal' | 'split' | 'merged';

export interface SimulatorOptions {
  /** Symlink name; default `<kind>-<pid>-<n>` (unique across parallel test processes). */
  name?: string;
  /** Folder of the symlink (taken as given); default `defaultSimDir()`, checked to be private. */
  dir?: string;
  /** The whole symlink path instead of `dir`/`name` (e.g. `plantdesk devices simulate --link`). */
  link?: string;
  mode?: WriteMode;
  /** Seed of the random bytes of `garbage(n)`, so a run can be repeated. */
  seed?: number;
}

/**
 * The default folder of the symlinks: `$XDG_RUNTIME_DIR/plantdesk-sim` (the user's own runtime
 * folder), else `os.tmpdir()/plantdesk-sim-<uid>`. Per user, because whoever can write to the folder
 * can swap a link and have the app talk to a device of their choosing.
 */
export function defaultSimDir(): string {
  const runtime = process.env.XDG_RUNTIME_DIR;
  if (runtime) return join(runtime, 'plantdesk-sim');
  return join(tmpdir(), `plantdesk-sim-${process.getuid?.() ?? userInfo().username}`);
}

/** Why an existing folder may not hold the links, or null when it is this user's alone. */
function notPrivate(stat: Stats): string | null {
  if (!stat.isDirectory()) return 'is not a directory';
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) return `belongs to user ${stat.uid}, not to this user (${uid})`;
  if ((stat.mode & 0o022) !== 0) return `can be written by other users (mode ${(stat.mode & 0o777).toString(8)})`;
  return null;
}

/**
 * Creates `dir` for this user only (0700), or checks that the existing one is: a real directory
 * (not a symlink), owned by this user and writable by nobody else. The temp folder is shared, so
 * another local user could have made the folder first to control the links in it.
 */
function ensurePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    // A file in the way is reported below as "not a directory".
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const problem = notPrivate(lstatSync(dir));
  if (problem) throw new Error(`simulator folder ${dir} ${problem}: remove it, or give the simulator another folder`);
}

/** Pause between the pieces of a split frame: long enough for the app to read them separately. */
const SPLIT_DELAY_MS = 15;
/** Merged mode: frames are held until this many are waiting, or for at most MERGE_WINDOW_MS. */
const MERGE_COUNT = 3;
const MERGE_WINDOW_MS = 300;
/** What the app sent is kept for inspection up to this many bytes (the oldest go first). */
const MAX_LOG_BYTES = 64 * 1024;

let instances = 0;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

export abstract class Simulator {
  readonly name: string;
  /** The stable path the app opens. */
  readonly path: string;
  mode: WriteMode;
  private readonly dir: string;
  /** Whether `dir` is the default folder, which must be private to this user. */
  private readonly defaultDir: boolean;
  private readonly random: () => number;
  private pty: PtyPair | null = null;
  private closed = false;
  private writing: Promise<void> = Promise.resolve();
  private merging: { frames: Uint8Array[]; done: (() => void)[]; timer: NodeJS.Timeout } | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  private log: Uint8Array[] = [];
  private logBytes = 0;
  private readonly receiveListeners = new Set<(bytes: Uint8Array) => void>();

  constructor(kind: string, options: SimulatorOptions = {}) {
    this.name = options.link ? basename(options.link) : (options.name ?? `${kind}-${process.pid}-${++instances}`);
    this.defaultDir = !options.link && options.dir === undefined;
    this.dir = options.link ? dirname(resolve(options.link)) : (options.dir ?? defaultSimDir());
    this.path = join(this.dir, this.name);
    this.mode = options.mode ?? 'normal';
    this.random = seeded(options.seed ?? 1);
  }

  /** Plugs the device in; resolves with the simulator itself, so `await new X().start()` reads well. */
  async start(): Promise<this> {
    if (this.defaultDir) ensurePrivateDir(this.dir);
    else mkdirSync(this.dir, { recursive: true });
    await this.plug();
    this.started();
    return this;
  }

  get plugged(): boolean {
    return this.pty !== null;
  }

  /** The pty the symlink points at now (null while unplugged). */
  get ptyPath(): string | null {
    return this.pty?.path ?? null;
  }

  async unplug(): Promise<void> {
    const pty = this.pty;
    if (!pty) return;
    this.pty = null;
    this.dropMerged();
    rmSync(this.path, { force: true });
    pty.close();
  }

  async replug(): Promise<void> {
    if (this.closed) throw new Error(`simulator ${this.name} is closed`);
    if (this.pty) return;
    await this.plug();
    this.replugged();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    this.timers.clear();
    this.stopped();
    await this.unplug();
  }

  /** Writes line noise: `n` seeded random bytes, or exactly the bytes given, in one write. */
  garbage(what: number | Uint8Array): Promise<void> {
    const bytes = typeof what === 'number' ? Uint8Array.from({ length: what }, () => Math.floor(this.random() * 256)) : what;
    return this.enqueue([bytes]);
  }

  /** Everything the app sent (since start or the last `clearReceived`). */
  received(): Uint8Array {
    return concatBytes(this.log);
  }

  receivedText(): string {
    return new TextDecoder().decode(this.received());
  }

  clearReceived(): void {
    this.log = [];
    this.logBytes = 0;
  }

  onReceive(listener: (bytes: Uint8Array) => void): () => void {
    this.receiveListeners.add(listener);
    return () => this.receiveListeners.delete(listener);
  }

  /** Resolves once the received text contains `match`; rejects after `timeoutMs` saying what did arrive. */
  waitForReceived(match: string | RegExp, timeoutMs = 2_000): Promise<void> {
    const found = (): boolean => (typeof match === 'string' ? this.receivedText().includes(match) : match.test(this.receivedText()));
    if (found()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`simulator ${this.name}: ${String(match)} not received within ${timeoutMs} ms (got ${JSON.stringify(this.receivedText())})`));
      }, timeoutMs);
      const stop = this.onReceive(() => {
        if (!found()) return;
        clearTimeout(timer);
        stop();
        resolve();
      });
    });
  }

  // ── for subclasses ──────────────────────────────────────────────────────────────────────────

  /** Bytes from the app, in whatever chunks the pty delivers. Must not throw (it is guarded anyway). */
  protected abstract handle(bytes: Uint8Array): void;

  /** After the first plug: start streaming timers here. */
  protected started(): void {}

  /** After a replug: forget half-received input. */
  protected replugged(): void {}

  /** Before the pty is closed for good. */
  protected stopped(): void {}

  /** Writes frames the way `mode` says; resolves when they were handed to the pty (or lost, if unplugged). */
  protected transmit(...frames: Uint8Array[]): Promise<void> {
    if (frames.length === 0) return Promise.resolve();
    if (this.mode === 'merged') return this.merge(frames);
    if (this.mode === 'split') return this.enqueue(frames.flatMap((f) => this.split(f)), SPLIT_DELAY_MS);
    return this.enqueue(frames);
  }

  /** Calls `fn` every `ms` until the returned stop function is called or the simulator closes. */
  protected repeat(ms: number, fn: () => void): () => void {
    const timer = setInterval(() => {
      try {
        fn();
      } catch (error) {
        this.report(error);
      }
    }, ms);
    this.timers.add(timer);
    return () => {
      clearInterval(timer);
      this.timers.delete(timer);
    };
  }

  // ── internals ───────────────────────────────────────────────────────────────────────────────

  /** A simulator bug is shown, but does not take the process (a test run, the CLI) down from a callback. */
  private report(error: unknown): void {
    console.error(`simulator ${this.name}:`, error);
  }

  private async plug(): Promise<void> {
    const pty = await openPty();
    if (this.closed) {
      pty.close(); // closed while the pty was being opened
      return;
    }
    pty.master.on('error', () => undefined); // writes racing an unplug fail quietly, like a pulled cable
    pty.master.on('data', (chunk: Buffer) => {
      const bytes = Uint8Array.from(chunk);
      this.record(bytes);
      try {
        this.handle(bytes);
      } catch (error) {
        this.report(error);
      }
      for (const listener of this.receiveListeners) listener(bytes);
    });
    // Point the link at the new pty atomically: a reconnecting app never sees a missing path halfway.
    const temp = `${this.path}.${process.pid}.tmp`;
    rmSync(temp, { force: true });
    symlinkSync(pty.path, temp);
    renameSync(temp, this.path);
    this.pty = pty;
  }

  private record(bytes: Uint8Array): void {
    this.log.push(bytes);
    this.logBytes += bytes.length;
    while (this.logBytes > MAX_LOG_BYTES && this.log.length > 1) this.logBytes -= this.log.shift()?.length ?? 0;
  }

  /** 2–3 pieces: cut after the first byte (where decoders look for a frame start) and in the middle. */
  private split(frame: Uint8Array): Uint8Array[] {
    if (frame.length < 2) return [frame];
    if (frame.length < 4) return [frame.subarray(0, 1), frame.subarray(1)];
    const mid = Math.floor(frame.length / 2);
    return [frame.subarray(0, 1), frame.subarray(1, mid), frame.subarray(mid)];
  }

  private merge(frames: Uint8Array[]): Promise<void> {
    return new Promise((resolve) => {
      if (!this.merging) {
        const timer = setTimeout(() => this.flushMerged(), MERGE_WINDOW_MS);
        this.merging = { frames: [], done: [], timer };
      }
      this.merging.frames.push(...frames);
      this.merging.done.push(resolve);
      if (this.merging.frames.length >= MERGE_COUNT) this.flushMerged();
    });
  }

  private flushMerged(): void {
    const batch = this.merging;
    if (!batch) return;
    this.merging = null;
    clearTimeout(batch.timer);
    void this.enqueue([concatBytes(batch.frames)]).then(() => batch.done.forEach((done) => done()));
  }

  private dropMerged(): void {
    const batch = this.merging;
    if (!batch) return;
    this.merging = null;
    clearTimeout(batch.timer);
    batch.done.forEach((done) => done());
  }

  /** Serialises writes so the pieces of one frame are never interleaved with another. */
  private enqueue(chunks: Uint8Array[], delayMs = 0): Promise<void> {
    const run = async (): Promise<void> => {
      for (let i = 0; i < chunks.length; i++) {
        if (i > 0 && delayMs > 0) await sleep(delayMs);
        await this.write(chunks[i] as Uint8Array);
      }
    };
    this.writing = this.writing.then(run, run);
    return this.writing;
  }

  private write(bytes: Uint8Array): Promise<void> {
    const pty = this.pty;
    if (!pty || bytes.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      pty.master.write(Buffer.from(bytes), () => resolve());
    });
  }
}
