-- Reporter contract v1.1 (data-standard.md): the third national behaviour type, COERCION (行政强制行为). Its rows use
-- the columns PENALTY uses: record_date = startDate, deadline = startDate + N working days, impl_code = the ITEM it
-- points at, inspection_ref = the INSPECTION it came from (required for COERCION).
ALTER TABLE reporter_records DROP CONSTRAINT IF EXISTS reporter_records_data_type_check;
ALTER TABLE reporter_records ADD CONSTRAINT reporter_records_data_type_check
  CHECK (data_type IN ('ITEM', 'INSPECTION', 'PENALTY', 'COERCION', 'OFFICER'));
