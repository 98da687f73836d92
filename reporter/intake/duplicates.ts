/**
 * One recordId seen twice in one submission (an API array, or a whole import file across its write batches). Seen
 * twice with identical data it is one record: the repeat gets `duplicateOf` (the index of the first within the same
 * batch; a first occurrence in an earlier batch is already stored, so the store answers the repeat as 'unchanged').
 * Seen twice with different data, every occurrence gets E_DUPLICATE, since the reporter cannot know which one the
 * sender meant; an occurrence already stored in an earlier batch gets a line in the report instead (`late`).
 *
 * Records are compared by their content hash (intake/store.ts `contentHash`, computed once per record by the pipeline
 * and reused by the store); 16 bytes of it are kept per id, plenty to tell two versions apart, and a small map.
 */
import { RECORD_ID_RE } from '../standard/validate';
import type { ValidationError, ValidationResult } from '../standard/types';

export type DuplicateScope = 'request' | 'file';

export type Marked = ValidationResult & { duplicateOf?: number };

interface Seen {
  /** Row (file) or position (request, 1-based) of the last occurrence, as the message names it. */
  pos: number;
  hash: string;
  conflicted: boolean;
}

export class DuplicateTracker {
  private readonly seen = new Map<string, Seen>();

  constructor(readonly scope: DuplicateScope) {}

  /**
   * Marks one batch in place. `hashes[i]` is the content hash of `results[i].data`, `positions[i]` its row number
   * (file) or 1-based position (request). Returns report lines for occurrences in earlier batches.
   */
  mark(results: Marked[], hashes: string[], positions: number[]): [number, ValidationError][] {
    const late: [number, ValidationError][] = [];
    const inBatch = new Map<string, number>();
    results.forEach((r, i) => {
      if (!r.recordId || !RECORD_ID_RE.test(r.recordId)) return;
      const pos = positions[i];
      const hash = hashes[i].slice(0, 32);
      const prev = this.seen.get(r.recordId);
      if (!prev) {
        this.seen.set(r.recordId, { pos, hash, conflicted: false });
        inBatch.set(r.recordId, i);
        return;
      }
      const j = inBatch.get(r.recordId);
      if (prev.hash === hash && !prev.conflicted) {
        if (j !== undefined) r.duplicateOf = j;
        return;
      }
      addError(r, this.error(r.recordId, prev.pos));
      if (!prev.conflicted) {
        if (j !== undefined) addError(results[j], this.error(r.recordId, pos));
        else late.push([prev.pos, this.error(r.recordId, pos)]);
      }
      prev.conflicted = true;
      prev.pos = pos;
      prev.hash = hash;
      inBatch.set(r.recordId, i);
    });
    return late;
  }

  private error(recordId: string, other: number): ValidationError {
    const message =
      this.scope === 'file'
        ? `记录编码(recordId)：${recordId} 在本文件中出现多次且内容不同（另见第 ${other} 行），请只保留正确的一行后重新导入`
        : `记录编码(recordId)：${recordId} 在本次提交中出现多次且内容不同（另见第 ${other} 条），请只保留正确的一条后重新提交`;
    return { recordId, field: 'recordId', code: 'E_DUPLICATE', message, severity: 'error' };
  }
}

function addError(r: Marked, e: ValidationError) {
  r.errors.push(e);
  r.status = 'invalid';
  r.record = undefined;
}
