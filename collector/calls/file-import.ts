/**
 * Import of the platform's exported call logs: CSV with Chinese headers (UTF-8 with or without BOM, or GBK) or JSON
 * Lines, read as a stream (a file of millions of lines never sits in memory), through the one intake pipeline in
 * batches, with progress after every committed batch. Re-importing the same file counts nothing twice.
 */
import { createReadStream, statSync } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream';
import { parse } from 'csv-parse';
import type { Db } from '../../core/db';
import type { CallIngestSummary } from '../../contract/calls';
import type { CallsConfig } from './config';
import { CallIntake } from './pipeline';
import { CSV_HEADERS, csvRowToRecord, parseJsonLine, toCallRow } from './record';

export type CallFileEncoding = 'auto' | 'utf-8' | 'gb18030';

export interface CallFileProgress extends CallIngestSummary {
  bytes: number;
  totalBytes: number;
}

/** Bytes → text; `auto`: a BOM or a first 64 KiB that is valid UTF-8 is UTF-8, anything else GB18030 (GBK's superset). */
async function* decode(input: AsyncIterable<Uint8Array>, encoding: CallFileEncoding, counted: (n: number) => void): AsyncGenerator<string> {
  let dec: TextDecoder | null = encoding === 'auto' ? null : new TextDecoder(encoding);
  let head: Buffer[] = [];
  let headBytes = 0;
  const pick = (all: Buffer) => {
    if (all.length >= 3 && all[0] === 0xef && all[1] === 0xbb && all[2] === 0xbf) return new TextDecoder('utf-8');
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(all, { stream: true });
      return new TextDecoder('utf-8');
    } catch {
      return new TextDecoder('gb18030');
    }
  };
  for await (const chunk of input) {
    counted(chunk.length);
    if (!dec) {
      head.push(Buffer.from(chunk));
      headBytes += chunk.length;
      if (headBytes < 65_536) continue;
      const all = Buffer.concat(head);
      head = [];
      dec = pick(all);
      yield dec.decode(all, { stream: true });
      continue;
    }
    yield dec.decode(chunk, { stream: true });
  }
  if (!dec) {
    const all = Buffer.concat(head);
    dec = pick(all);
    yield dec.decode(all);
    return;
  }
  yield dec.decode();
}

async function* jsonLines(text: AsyncIterable<string>): AsyncGenerator<[number, string]> {
  let n = 0;
  let rest = '';
  for await (const t of text) {
    const parts = (rest + t).split('\n');
    rest = parts.pop()!;
    for (const p of parts) {
      n++;
      const line = p.replace(/\r$/, '');
      if (line.trim()) yield [n, line];
    }
  }
  if (rest.trim()) yield [n + 1, rest.replace(/\r$/, '')];
}

export class CallFileError extends Error {}

export async function importCallFile(opts: {
  db: Db;
  config: CallsConfig;
  file: string;
  format?: 'csv' | 'jsonl';
  encoding?: CallFileEncoding;
  batchRows?: number;
  onProgress?: (p: CallFileProgress) => void;
}): Promise<CallFileProgress> {
  const totalBytes = statSync(opts.file).size;
  const format = opts.format ?? (/\.(jsonl|ndjson|json)$/i.test(opts.file) ? 'jsonl' : 'csv');
  let bytes = 0;
  const intake = new CallIntake(opts.db, () => opts.config, 'file', { batchRows: opts.batchRows ?? 10_000, onBatch: (s) => opts.onProgress?.({ ...s, bytes, totalBytes }) });
  const text = decode(createReadStream(opts.file), opts.encoding ?? 'auto', (n) => (bytes += n));
  if (format === 'jsonl') {
    let first = true;
    for await (const [n, line] of jsonLines(text)) {
      await intake.add(n, parseJsonLine(first ? line.replace(/^\uFEFF/, '') : line));
      first = false;
    }
  } else {
    const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: true });
    pipeline(Readable.from(text), parser as unknown as Transform, () => undefined);
    let header: string[] | null = null;
    let n = 1;
    for await (const cells of parser as AsyncIterable<string[]>) {
      if (!header) {
        header = cells.map((h) => h.replace(/^\uFEFF/, '').trim());
        const known = header.filter((h) => CSV_HEADERS[h] || ['time', 'interface', 'callerDept', 'latencyMs'].includes(h));
        if (!header.some((h) => CSV_HEADERS[h] === 'interface' || h === 'interface')) {
          throw new CallFileError(`第一行应为中文列名，如 时间、接口编码、调用部门、调用系统、状态码、耗时(毫秒)、返回记录数；未找到"接口编码"列（识别到的列：${known.join('、') || '无'}）。请检查文件是否为 UTF-8 或 GBK 编码的 CSV`);
        }
        continue;
      }
      n++;
      const row: Record<string, string> = {};
      header.forEach((h, i) => (row[h] = cells[i] ?? ''));
      await intake.add(n, toCallRow(csvRowToRecord(row)));
    }
  }
  const s = await intake.finish();
  const done = { ...s, bytes: totalBytes, totalBytes };
  opts.onProgress?.(done);
  return done;
}
