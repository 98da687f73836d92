/** The JSON shapes of the interface catalogue import (collector/catalogue; README: 接口目录导入). */
import type { FieldChange } from './config';

export type CatalogueFormat = 'csv' | 'openapi';

/** A row (or OpenAPI operation) that cannot be imported: where, which column, what, how to fix. */
export interface CatalogueProblem {
  /** The spreadsheet row (the header is row 1, as Excel numbers them); for OpenAPI the operation's number (1-based). */
  row: number;
  /** The column as the file names it (接口地址), or for OpenAPI the place in the document (paths./a.get.x-department). */
  column: string;
  /** A stable code: missing_column, required, bad_url, bad_method, bad_status, bad_assertion, bad_interval, bad_value, duplicate_code, id_conflict, managed_by_file, invalid_config. */
  code: string;
  /** Chinese: what is wrong and how to fix it. */
  message: string;
  /** The row's 接口编码, when it has one. */
  interfaceCode?: string;
}

export interface CatalogueChange {
  op: 'create' | 'update';
  row: number;
  interfaceCode: string;
  /** The target's id in the configuration store. */
  id: string;
  name: string;
  module: string;
  /** For an update: the fields that change. */
  diff: FieldChange[];
}

export interface CatalogueMissing {
  interfaceCode: string;
  id: string;
  name: string;
  /** Archived by this import (archiveMissing), or only reported. */
  archived: boolean;
}

export interface CataloguePreview {
  dryRun: boolean;
  /** Applied: the changes are written (one transaction) and run. */
  applied: boolean;
  format: CatalogueFormat;
  /** How a CSV was read. */
  encoding?: 'utf-8' | 'gb18030';
  counts: {
    /** Rows (CSV) or operations (OpenAPI) read. */
    rows: number;
    create: number;
    update: number;
    unchanged: number;
    missing: number;
    archived: number;
    /** Rows with an error: not imported; the rest are. */
    errors: number;
    /** Operations of an OpenAPI document left out (not GET/HEAD, no x-probe: true). */
    skipped: number;
    modulesCreated: number;
  };
  modulesCreated: { id: string; name: string; department: string }[];
  changes: CatalogueChange[];
  missing: CatalogueMissing[];
  errors: CatalogueProblem[];
}
