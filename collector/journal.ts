import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * An append-only journal on disk for results that could not reach the database: JSON lines in numbered segment files
 * (journal-000001.jsonl, ...). Each append is one write and one fsync (a batch, not a line). Replay works on closed
 * segments oldest first; a segment is deleted only after all of its lines are in the database.
 */
export class Journal {
  private fd: number | null = null;
  private current = 0;
  private bytes = 0;
  /** Segment files on disk, tracked so the writer's hot path never lists the folder when there is nothing. */
  private files = 0;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    const segs = this.segments();
    this.current = segs.length ? segs[segs.length - 1].seq : 0;
    this.bytes = segs.reduce((n, s) => n + s.size, 0);
    this.files = segs.length;
  }

  /** Bytes on disk in all segments. */
  get size() {
    return this.bytes;
  }

  /** True when no segment file exists (nothing to replay). */
  get isEmpty() {
    return this.files === 0;
  }

  private segments(): { seq: number; file: string; size: number }[] {
    return readdirSync(this.dir)
      .map((f) => /^journal-(\d{6,})\.jsonl$/.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => {
        const file = join(this.dir, m[0]);
        return { seq: Number(m[1]), file, size: statSync(file).size };
      })
      .sort((a, b) => a.seq - b.seq);
  }

  private name(seq: number) {
    return join(this.dir, `journal-${String(seq).padStart(6, '0')}.jsonl`);
  }

  /** Appends entries as JSON lines, then fsyncs once. */
  append(entries: unknown[]) {
    if (entries.length === 0) return;
    if (this.fd === null) {
      this.current++;
      this.fd = openSync(this.name(this.current), 'a');
      this.files++;
    }
    const text = entries.map((e) => JSON.stringify(e)).join('\n') + '\n';
    const buf = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off);
    fsyncSync(this.fd);
    this.bytes += buf.length;
  }

  /** Closes the open segment so that it can be replayed; later appends start a new one. */
  rotate() {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
  }

  /** Closed segments, oldest first, for replay. */
  closedSegments(): { file: string; size: number }[] {
    const segs = this.segments();
    return this.fd === null ? segs : segs.filter((s) => s.seq !== this.current);
  }

  /** Reads one segment. A torn last line (a crash mid-write) is skipped: it was never acknowledged as journaled. */
  read<T>(file: string): T[] {
    const out: T[] = [];
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        out.push(JSON.parse(line) as T);
      } catch {
        /* torn tail */
      }
    }
    return out;
  }

  /** Deletes a replayed segment. */
  remove(file: string, size: number) {
    unlinkSync(file);
    this.files = Math.max(0, this.files - 1);
    this.bytes = Math.max(0, this.bytes - size);
  }

  close() {
    this.rotate();
  }
}
