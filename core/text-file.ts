import { parse } from 'csv-parse/sync';

/**
 * Files people export from spreadsheets: bytes in UTF-8 (with or without BOM) or GBK, and CSV. The reporter's and the
 * call log's streaming imports decide the encoding the same way (a BOM, or valid UTF-8, is UTF-8; anything else
 * GB18030, the superset of GBK and GB2312 that Chinese Excel writes); this is the whole-file form for small uploads
 * (a catalogue of interfaces is a few MiB at most).
 */
export type TextEncodingName = 'auto' | 'utf-8' | 'gb18030';

export class TextFileError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** The text of a file and the encoding it was read as. */
export function decodeText(bytes: Uint8Array, encoding: TextEncodingName = 'auto'): { text: string; encoding: 'utf-8' | 'gb18030'; bom: boolean } {
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  if (encoding === 'gb18030') return { text: new TextDecoder('gb18030').decode(bytes), encoding, bom: false };
  try {
    // The decoder drops a BOM (ignoreBOM is false by default).
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8', bom };
  } catch {
    if (encoding === 'utf-8' || bom) throw new TextFileError('bad_encoding', '文件不是合法的 UTF-8 文本：请另存为"CSV UTF-8"，或以 GBK 编码保存后重新导入');
    return { text: new TextDecoder('gb18030').decode(bytes), encoding: 'gb18030', bom: false };
  }
}

/**
 * CSV (RFC 4180, by csv-parse) as rows of cells; the first row is the header. Quoted cells may hold commas, quotes
 * and line breaks; rows of different lengths are kept as they are (the caller names the missing column); a row is at
 * most 64 Ki characters unless the caller says otherwise.
 */
export function readCsv(text: string, opts: { maxRecordChars?: number } = {}): string[][] {
  try {
    // A row longer than maxRecordChars is refused as it is read (a stray quote would otherwise swallow the file).
    return parse(text, { relax_column_count: true, skip_empty_lines: true, bom: true, trim: false, max_record_size: opts.maxRecordChars ?? 64 * 1024 }) as string[][];
  } catch (err) {
    const e = err as Error & { lines?: number };
    throw new TextFileError('bad_csv', `CSV 格式错误${e.lines ? `（第 ${e.lines} 行附近）` : ''}：${e.message.slice(0, 200)}；请检查引号是否成对`);
  }
}
