// COERCION (contract v1.1) by every way in: the JSON API, CSV with the standard's Chinese headers, JSON Lines, Excel
// and the staging table; held while its INSPECTION is missing (as a PENALTY is) and released when it arrives.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { openTestDb } from '../../test/helpers/db';
import { AuthService } from '../../core/auth/service';
import { authenticate, type AppEnv } from '../../core/http';
import { manualClock } from '../../core/time';
import { makeFixtures, recordsToCsv, recordsToXlsx } from '../fixtures/records';
import { FIELDS } from '../standard/codes';
import { importFile } from './import';
import { createIntakeRoutes } from './routes';
import { Intake } from './service';
import { ingestStaging } from './staging';
import { importFindings } from './imports';
import { importLines, reportCells } from './reports';

const db = await openTestDb();
const clock = manualClock(Date.UTC(2026, 10, 24, 4, 0, 0));
const intake = new Intake({ db, clock });
const auth = new AuthService(db, clock, 3600_000);
const app = new Hono<AppEnv>();
app.use('*', authenticate(auth));
app.route('/api/reporter', createIntakeRoutes({ db, auth, intake }));
const token = (await auth.createToken({ name: 'clerk', role: 'regulator', createdBy: 'test' })).token;
const dir = mkdtempSync(join(tmpdir(), 'reporter-coercion-'));
const f = makeFixtures({ seed: 1515, items: 4, officers: 6, inspections: 40, penalties: 0, coercions: 60, invalidShare: 0.15, invalidTypes: ['COERCION'], now: clock() });
const bad = f.invalid.COERCION;
// Five slices of 12, one per way in; the records of the last slice point at INSPECTIONs of their own (copies under
// new ids) that arrive after them.
const lateIns = f.COERCION.slice(48).map((c) => ({ ...f.INSPECTION.find((i) => i.recordId === c.inspectionRef)!, recordId: `LATE-${c.recordId}` }));
const slice = (i: number) => (i < 4 ? f.COERCION.slice(i * 12, i * 12 + 12) : f.COERCION.slice(48).map((c) => ({ ...c, inspectionRef: `LATE-${c.recordId}` })));
const row = async (id: string) =>
  (await db.query<{ status: string; source: string; record_date: string; deadline: string; inspection_ref: string; errors: { code: string; field: string }[] }>(
    `SELECT status, source, record_date::text, deadline::text, inspection_ref, errors FROM reporter_records WHERE data_type = 'COERCION' AND record_id = $1`,
    [id],
  )).rows[0];
const expectStored = async (recs: { recordId: string }[], source: string) => {
  for (const c of recs) {
    const r = await row(c.recordId);
    assert.ok(r, `${c.recordId} stored`);
    assert.is(r.source, source);
    const want = bad.get(c.recordId);
    if (want) {
      assert.is(r.status, 'invalid', c.recordId);
      assert.ok(r.errors.some((e) => e.code === want), `${c.recordId}: ${want} in ${JSON.stringify(r.errors)}`);
    } else assert.is(r.status, 'valid', `${c.recordId}: ${JSON.stringify(r.errors)}`);
  }
};

test.before(async () => {
  const first = f.INSPECTION;
  await intake.submit('ITEM', f.ITEM.map((input) => ({ input })), { source: 'api', actor: 'test' });
  await intake.submit('OFFICER', f.OFFICER.map((input) => ({ input })), { source: 'api', actor: 'test' });
  const r = await intake.submit('INSPECTION', first.map((input) => ({ input })), { source: 'api', actor: 'test' });
  assert.is(r.counts.accepted, first.length);
});

test('API: POST /records/COERCION answers per record; record date and deadline (startDate + 7 working days) are stored', async () => {
  const res = await app.request('/api/reporter/records/coercion', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(slice(0)),
  });
  assert.is(res.status, 200);
  const body = (await res.json()) as { accepted: number; rejected: number };
  const nBad = slice(0).filter((c) => bad.has(c.recordId)).length;
  assert.is(body.accepted, 12 - nBad);
  assert.is(body.rejected, nBad);
  await expectStored(slice(0), 'api');
  const ok = slice(0).find((c) => !bad.has(c.recordId))!;
  const r = await row(ok.recordId);
  assert.is(r.record_date, ok.startDate);
  assert.is(r.inspection_ref, ok.inspectionRef);
  assert.is(r.deadline, intake.calendar.addWorkingDays(ok.startDate, 7));
  // The detail carries the COERCION fields with their headers (the correction form builds on them).
  const d = await app.request(`/api/reporter/records/COERCION/${ok.recordId}`, { headers: { authorization: `Bearer ${token}` } });
  const detail = (await d.json()) as { fields: { key: string; label: string; codeTable?: { name: string; options: { value: string; label: string }[] } }[] };
  assert.equal(detail.fields.map((x) => x.key), FIELDS.COERCION.map(([k]) => k));
  assert.ok(detail.fields.some((x) => x.key === 'result' && x.label === '强制结果' && !x.codeTable));
  const m = detail.fields.find((x) => x.key === 'measureType')!;
  assert.is(m.codeTable?.name, 'COERCION_MEASURE');
  assert.equal(m.codeTable?.options.map((o) => o.value), ['01', '02', '03', '04', '99']);
  assert.is(m.codeTable?.options[0].label, '限制公民人身自由');
  assert.is(detail.fields.find((x) => x.key === 'executionType')!.codeTable?.options.find((o) => o.value === '05')?.label, '代履行');
});

test('CSV with BOM and the Chinese headers (延长期限 as digits, several rows)', async () => {
  const file = join(dir, '强制.csv');
  writeFileSync(file, recordsToCsv('COERCION', slice(1), { bom: true }));
  const s = await importFile({ intake, dataType: 'COERCION', file });
  assert.is(s.rows, 12);
  assert.equal(s.missingColumns, []);
  assert.equal(s.unknownColumns, []);
  assert.is(s.accepted + s.rejected, 12);
  await expectStored(slice(1), 'import');
});

test('JSON Lines and Excel (date cells, 延长期限 as a number cell)', async () => {
  const jl = join(dir, 'coe.jsonl');
  writeFileSync(jl, slice(2).map((r) => JSON.stringify(r)).join('\n') + '\n');
  assert.is((await importFile({ intake, dataType: 'COERCION', file: jl })).rows, 12);
  await expectStored(slice(2), 'import');
  const xl = join(dir, 'coe.xlsx');
  writeFileSync(xl, await recordsToXlsx('COERCION', slice(3), { dates: true, numbers: ['extendedDays'] }));
  const s = await importFile({ intake, dataType: 'COERCION', file: xl });
  assert.is(s.encoding, 'xlsx');
  assert.is(s.rows, 12);
  await expectStored(slice(3), 'import');
  const ext = slice(3).find((c) => c.extendedDays !== undefined && !bad.has(c.recordId));
  if (ext) assert.is((await db.query<{ e: unknown }>(`SELECT data->'extendedDays' AS e FROM reporter_records WHERE data_type = 'COERCION' AND record_id = $1`, [ext.recordId])).rows[0].e, ext.extendedDays);
});

test('staging: COERCION rows before their INSPECTION are held (E_REFERENCE), then released when it is picked up', async () => {
  for (const c of slice(4)) await db.query(`INSERT INTO reporter_staging (data_type, record_id, payload) VALUES ('COERCION', $1, $2)`, [c.recordId, JSON.stringify(c)]);
  const r1 = await ingestStaging(db, { intake });
  assert.is(r1.picked, 12);
  const good = slice(4).filter((c) => !bad.has(c.recordId));
  assert.is(r1.heldReference, good.length);
  for (const c of good) {
    const r = await row(c.recordId);
    assert.is(r.status, 'held_reference');
    assert.equal(r.errors.map((e) => [e.field, e.code]), [['inspectionRef', 'E_REFERENCE']]);
  }
  // The INSPECTIONs arrive (by staging too): the next pick-up releases the held COERCIONs.
  for (const i of lateIns) await db.query(`INSERT INTO reporter_staging (data_type, record_id, payload) VALUES ('INSPECTION', $1, $2)`, [i.recordId, JSON.stringify(i)]);
  await ingestStaging(db, { intake });
  await expectStored(slice(4), 'staging');
  // A staging row with an unknown type names COERCION among the types.
  await db.query(`INSERT INTO reporter_staging (data_type, record_id, payload) VALUES ('ENFORCE', 'X-1', '{}')`);
  await ingestStaging(db, { intake });
  const rej = await db.query<{ errors: { message: string }[] }>(`SELECT errors FROM reporter_intake_rejects WHERE data_type = 'ENFORCE'`);
  assert.match(rej.rows[0].errors[0].message, 'COERCION');
});

test('counts: every COERCION record stored once, the invalid ones kept with their reasons', async () => {
  const n = await db.query<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM reporter_records WHERE data_type = 'COERCION' GROUP BY 1`);
  const by = Object.fromEntries(n.rows.map((x) => [x.status, Number(x.n)]));
  assert.equal(by, { valid: 60 - bad.size, invalid: bad.size });
  assert.ok(bad.size >= 4, `some invalid (${bad.size})`);
});

test('error reports name COERCION columns by COERCION headers (强制结果, not 检查结果)', async () => {
  const file = join(dir, 'nores.csv');
  const rec = { ...slice(0).find((c) => !bad.has(c.recordId))!, recordId: 'COE-NORES', result: '' };
  writeFileSync(file, recordsToCsv('COERCION', [rec]));
  const s = await importFile({ intake, dataType: 'COERCION', file });
  assert.is(s.rejected, 1);
  const f1 = await importFindings(db, s.importId!, 'error', { limit: 10, offset: 0 });
  assert.equal(f1.items.map((x) => [x.field, x.fieldZh, x.code]), [['result', '强制结果', 'E_REQUIRED']]);
  for await (const l of importLines(db, s.importId!, 'error')) assert.is(reportCells('error', l, false)[2], '强制结果');
});

test.run();
