import { spawnSync } from 'node:child_process';
import { closeSync, constants, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, realpathSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * One owner per data folder (the embedded database folder, the collector's journal folder).
 *
 * The lock is flock(2) on the file `<folder>.lock` beside the folder (beside, not inside: an online backup of the
 * database copies the folder, and a restored copy must not carry a lock). The kernel keeps the lock for the open
 * file and drops it when the holder ends, however it ends (stop, crash, SIGKILL, OOM kill), so a dead holder never
 * blocks the next start and there is no stale-lock guessing: a reused pid cannot keep a folder locked. What the file
 * says (pid, program, host, since when) is only there to name the holder in the error.
 *
 * Node has no flock, so flock(1) from util-linux takes it on our file descriptor (the lock belongs to the open file,
 * which this process keeps open). ops/backup and ops/restore take the same lock with flock(1) in bash
 * (ops/folder-lock.sh), so a backup and a server never work on one folder at once.
 */
export interface FolderLock {
  /** The folder, with symbolic links resolved (two spellings of one folder share one lock). */
  readonly folder: string;
  /** The lock file beside it. */
  readonly file: string;
  release(): void;
}

export interface LockHolder {
  pid?: number;
  command?: string;
  host?: string;
  since?: string;
}

export class FolderInUseError extends Error {
  constructor(
    readonly what: string,
    readonly folder: string,
    readonly lockFile: string,
    readonly holder: LockHolder | null,
  ) {
    const h = holder ?? {};
    const who = [
      h.pid ? `pid ${h.pid}` : 'a process that has not said who it is',
      h.command ? `(${h.command})` : '',
      h.host && h.host !== hostname() ? `on host ${h.host}` : '',
      h.since ? `since ${h.since}` : '',
    ].filter(Boolean).join(' ');
    super(
      `${what} ${folder} is in use by ${who}. Only one process may use it at a time: stop that process first, ` +
        `or, while it runs, do the work through its HTTP API. ` +
        `The lock (${lockFile}) ends with its holder, even a crashed one: there is nothing to delete by hand.`,
    );
    this.name = 'FolderInUseError';
  }
}

/** Where the lock of `folder` lives, with symbolic links resolved as far as the path exists. */
export function lockFileOf(folder: string): { folder: string; file: string } {
  const abs = resolve(folder);
  const real = existsSync(abs) ? realpathSync(abs) : join(realpathSync(dirname(abs)), basename(abs));
  return { folder: real, file: `${real}.lock` };
}

/**
 * Takes the lock of `folder` or throws FolderInUseError naming the holder. Call it before touching the folder.
 * `what` names the folder in the error, e.g. "the embedded database folder".
 */
export function lockFolder(folder: string, what: string): FolderLock {
  mkdirSync(dirname(resolve(folder)), { recursive: true });
  const { folder: real, file } = lockFileOf(folder);
  const fd = openSync(file, constants.O_RDWR | constants.O_CREAT, 0o644);
  // --nonblock: exit 1 at once when another open file holds it. fd 3 of the child is our descriptor.
  const r = spawnSync('flock', ['--nonblock', '--exclusive', '3'], { stdio: ['ignore', 'ignore', 'pipe', fd], encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    closeSync(fd);
    if (r.error) throw new Error(`cannot lock ${file}: flock(1) from util-linux is needed (${r.error.message})`);
    if (r.status === 1 && !r.stderr) throw new FolderInUseError(what, real, file, readHolder(file));
    throw new Error(`cannot lock ${file}: flock exited ${r.status}: ${r.stderr.trim()}`);
  }
  const holder: LockHolder = { pid: process.pid, command: commandName(), host: hostname(), since: new Date().toISOString() };
  ftruncateSync(fd, 0);
  writeSync(fd, JSON.stringify(holder) + '\n', 0);
  let held = true;
  return {
    folder: real,
    file,
    release() {
      if (!held) return;
      held = false;
      try {
        ftruncateSync(fd, 0); // the file stays (removing it would race with a process opening it); it no longer names us
      } finally {
        closeSync(fd); // releases the lock
      }
    },
  };
}

/**
 * The holder as its lock file names it. A holder that has just taken the lock may not have written its line yet (the
 * file is empty, or still names an earlier holder that is gone): read again a few times, then name nobody.
 */
function readHolder(file: string): LockHolder | null {
  for (let i = 0; i < 5; i++) {
    try {
      const text = readFileSync(file, 'utf8').trim();
      const h = text ? (JSON.parse(text) as LockHolder) : null;
      if (h && (!h.pid || h.host !== hostname() || alive(h.pid))) return h;
    } catch {
      /* anything unreadable names nobody */
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  return null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // it exists, under another user
  }
}

/** The program, without its arguments (they may carry anything; the lock file is readable by others). */
function commandName(): string {
  const script = process.argv[1];
  return script ? `${basename(process.argv0)} ${script}` : basename(process.argv0);
}
