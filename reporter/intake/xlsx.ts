/**
 * The rows of an .xlsx's first worksheet, read through the zip's central directory.
 *
 * Why not ExcelJS's own streaming `WorkbookReader` as it stands: it reads the zip in one pass (unzipper's `Parse`),
 * and that stream announces its end when its *input* is finished, not when every entry has been handed out. A
 * workbook whose `xl/workbook.xml` is stored last (ExcelJS writes it last, and so do other tools) then loses that
 * entry whenever the reader is busy at the wrong moment — ExcelJS parks a worksheet that comes before the shared
 * strings in a temp file, and a slow disk is enough — and the import fails with "Cannot read properties of undefined
 * (reading 'sheets')" on a valid file (exceljs/exceljs#3064, open; the CI saw it once under load).
 *
 * So the upload is spooled to a temp file of its own (the size limit still applies while it arrives), the zip is
 * opened by its directory (unzipper's `Open.file`), and the parts are parsed in the order they depend on each other:
 * the workbook's relations and sheet list, the shared strings, the styles (date formats), then the worksheet, whose
 * rows stream from its zip entry as before — never the whole workbook in memory. The parsing itself is still
 * ExcelJS's, through the steps its reader is made of (`_parseRels`, `_parseWorkbook`, `_parseSharedStrings`,
 * `_parseStyles`, `_parseWorksheet`); they are not public API, so package.json pins exceljs to the exact version
 * these tests were run with, and every .xlsx test goes through here.
 *
 * "The first worksheet" is the first in the workbook's tab order that is not hidden (what the office sees on opening
 * the file), or the first at all when every sheet is hidden.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type ExcelJS from 'exceljs';
import type * as unzipper from 'unzipper';

/** The parts of ExcelJS 4.4.0's WorkbookReader used here (lib/stream/xlsx/workbook-reader.js). */
interface ReaderSteps {
  workbookRels?: { Id: string; Target: string }[];
  model?: { sheets?: { id: number; name: string; rId: string; state?: string }[] };
  _parseRels(entry: Readable): Promise<void>;
  _parseWorkbook(entry: Readable): Promise<void>;
  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown>;
  _parseStyles(entry: Readable): Promise<void>;
  _parseWorksheet(iterator: AsyncIterable<unknown>, sheetNo: string): Generator<{ eventType: string; value: unknown }>;
}

/**
 * Rows of the first worksheet (see the module comment); the temp file is gone when the generator ends. A file that is
 * not a workbook throws an Error saying what is missing (import.ts words it for the office).
 */
export async function* firstSheetRows(input: AsyncIterable<Uint8Array>): AsyncGenerator<ExcelJS.Row> {
  const dir = await mkdtemp(join(tmpdir(), 'city-ops-xlsx-'));
  try {
    const file = join(dir, 'upload.xlsx');
    await pipeline(Readable.from(input), createWriteStream(file, { mode: 0o600 }));
    // Loaded on first use: ExcelJS is a large module tree, and a start that never reads a workbook skips it.
    const [{ default: ExcelJS }, { Open }] = await Promise.all([import('exceljs'), import('unzipper')]);
    let entries: unzipper.File[];
    try {
      entries = (await Open.file(file)).files;
    } catch (err) {
      throw new Error(`不是 zip 格式（${String((err as Error).message).slice(0, 80)}）`);
    }
    const byPath = new Map(entries.filter((e) => e.type === 'File').map((e) => [e.path.replace(/^\//, ''), e]));
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, {
      sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', worksheets: 'emit', entries: 'ignore',
    }) as unknown as ReaderSteps;

    const rels = byPath.get('xl/_rels/workbook.xml.rels');
    const book = byPath.get('xl/workbook.xml');
    if (!rels || !book) throw new Error('缺少 xl/workbook.xml（不是 Excel 工作簿）');
    await reader._parseRels(rels.stream());
    await reader._parseWorkbook(book.stream());
    const strings = byPath.get('xl/sharedStrings.xml');
    if (strings) for await (const _ of reader._parseSharedStrings(strings.stream())) void _;
    const styles = byPath.get('xl/styles.xml');
    if (styles) await reader._parseStyles(styles.stream());

    const sheets = reader.model?.sheets ?? [];
    const first = sheets.find((s) => s.state !== 'hidden' && s.state !== 'veryHidden') ?? sheets[0];
    if (!first) return;
    const target = reader.workbookRels?.find((r) => r.Id === first.rId)?.Target;
    // A relation's target is relative to xl/ ("worksheets/sheet1.xml") or absolute ("/xl/worksheets/sheet1.xml").
    const path = target && (target.startsWith('/') ? target.slice(1) : `xl/${target}`);
    const entry = path ? byPath.get(path) : undefined;
    if (!entry) throw new Error(`找不到工作表"${first.name}"的内容（${path ?? first.rId}）`);
    // ExcelJS names a sheet by the number in worksheets/sheetN.xml; another file name gets the sheet's own id.
    const sheetNo = /sheet(\d+)\.xml$/.exec(path!)?.[1] ?? String(first.id);
    for (const { value } of reader._parseWorksheet(entry.stream(), sheetNo)) {
      for await (const row of value as AsyncIterable<ExcelJS.Row>) yield row;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
