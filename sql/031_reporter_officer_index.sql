-- The officer register as the validator asks it (W_OFFICER): certificate number → validity, by an expression index.
CREATE INDEX reporter_records_officer_cert_idx ON reporter_records ((data->>'certNo')) WHERE data_type = 'OFFICER';
