-- Reporter imports: Excel workbooks (.xlsx, the first worksheet) are imported too; their encoding column says 'xlsx'.
ALTER TABLE reporter_imports DROP CONSTRAINT IF EXISTS reporter_imports_format_check;
ALTER TABLE reporter_imports ADD CONSTRAINT reporter_imports_format_check CHECK (format IN ('csv', 'jsonl', 'xlsx'));
-- The correction queue's report names the row of the import that last brought a record: findings by record.
CREATE INDEX reporter_import_findings_record_idx ON reporter_import_findings (record_id);
