/** The JSON shapes of the configuration store's API (core/config/store.ts, core/config/routes.ts; README: 统一配置). */

export type Managed = 'file' | 'ui';

/**
 * Keys whose values are secrets (a token, a password, header values): shown as REDACTED to a reader who may not write
 * the object, and in the page's receiver form; a write that sends REDACTED back keeps the stored value.
 */
export const SECRET_KEY = /(token|password|secret|auth|bearer|headers|key)/i;
export const REDACTED = '***';
export type ObjectData = Record<string, unknown>;

export interface ConfigObject {
  kind: string;
  id: string;
  managedBy: Managed;
  /** Versions of a stored object; 0 for one of the file. */
  version: number;
  /** As written (the file's input form, not the parsed form with defaults). */
  data: ObjectData;
  updatedAt: string | null;
  updatedBy: string | null;
  /** A stored object hidden by a file object of the same id. */
  shadowed?: boolean;
  /** In the API's answers: may the caller edit it (a stored object its role writes)? The page offers the form by it. */
  mayWrite?: boolean;
}

export interface ConfigVersion {
  seq: number;
  kind: string;
  id: string;
  version: number;
  action: VersionAction;
  before: ObjectData | null;
  after: ObjectData | null;
  diff: FieldChange[];
  actor: string;
  role: string | null;
  reason: string;
  ts: string;
}
export type VersionAction = 'create' | 'update' | 'enable' | 'disable' | 'delete' | 'rollback' | 'import';

/**
 * A version of a record that is not a configuration object (a silence, a maintenance window: core/versions.ts), in
 * the same shape as a ConfigVersion; `after` of an expiry is the record as expired.
 */
export interface RecordVersion extends Omit<ConfigVersion, 'action'> {
  action: RecordAction;
}
export type RecordAction = 'create' | 'update' | 'expire' | 'delete' | 'rollback';

/** One changed field: a JSON path (spec.assert.status) and the values before and after (undefined: absent). */
export interface FieldChange {
  path: string;
  before?: unknown;
  after?: unknown;
}

/** A problem with an object, for a form: the field, and a Chinese message saying what, where, how to fix. */
export interface ObjectProblem {
  /** The field inside the object, e.g. "spec.url"; "" for the object as a whole. */
  field: string;
  message: string;
  /** The object the problem is in, when it is not the one written (a module deleted that targets still use). */
  object?: { kind: string; id: string };
}


/** POST /api/config/import's answer (core/config/document-routes.ts): the diff against what runs, its problems. */
export interface ConfigImportResult {
  dryRun: boolean;
  applied: boolean;
  /** Objects created, changed or archived. */
  changed: number;
  counts: { create: number; update: number; delete: number; keep: number };
  /** keep: stored, not in the document, left alone (without prune). */
  changes: { kind: string; id: string; op: 'create' | 'update' | 'delete' | 'keep'; diff: FieldChange[] }[];
  /** Nothing is applied while there is one; `line` is the line of the document it is at. */
  errors: (ObjectProblem & { line?: number })[];
}
