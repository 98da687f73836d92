/** The JSON shapes of the configuration store's API (core/config/store.ts, core/config/routes.ts; README: 统一配置). */

export type Managed = 'file' | 'ui';
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

