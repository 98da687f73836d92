import type { Queryable } from './types';

// PostgreSQL allows 65,535 bind parameters, but PGlite reads the count back as a signed 16-bit number: above
// 32,767 the embedded back end fails with "Invalid array length". Stay below both.
const MAX_PARAMS = 32_000;

/** Multi-row INSERT in chunks that stay below PostgreSQL's bind-parameter limit. */
export async function insertRows(
  q: Queryable,
  table: string,
  columns: string[],
  rows: unknown[][],
  suffix = '',
): Promise<number> {
  if (rows.length === 0) return 0;
  const perChunk = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
  const cols = columns.map((c) => `"${c}"`).join(',');
  let inserted = 0;
  for (let start = 0; start < rows.length; start += perChunk) {
    const chunk = rows.slice(start, start + perChunk);
    const params: unknown[] = [];
    const tuples: string[] = [];
    for (const row of chunk) {
      const ph: string[] = [];
      for (let i = 0; i < columns.length; i++) {
        params.push(row[i] === undefined ? null : row[i]);
        ph.push(`$${params.length}`);
      }
      tuples.push(`(${ph.join(',')})`);
    }
    const res = await q.query(`INSERT INTO ${table} (${cols}) VALUES ${tuples.join(',')} ${suffix}`, params);
    inserted += res.rowCount;
  }
  return inserted;
}
