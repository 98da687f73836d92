import { ConfigObjects, type ObjectProblem } from '../core/config/store';
import { rawOf } from '../core/config/load';
import type { Db } from '../core/db';
import type { Logger } from '../core/log';
import type { Clock } from '../core/time';
import { configSchema, type Config } from './config';
import { CONFIG_KINDS } from './areas';

/**
 * The configuration store wired to the whole file's schema (README: 统一配置): the running configuration is the file
 * and the stored objects, validated as one document. `fileConfig` is the file as last loaded (a reload replaces it).
 */
export function openConfigObjects(db: Db, clock: Clock, fileConfig: () => Config, onChange?: (validated?: unknown) => Promise<void>): ConfigObjects {
  return new ConfigObjects({ db, clock, kinds: CONFIG_KINDS, schema: configSchema, fileRaw: () => rawOf(fileConfig()) ?? {}, onChange });
}

/** The running configuration for a file: with the stored objects, or, when they do not fit it, the file alone (logged). */
export async function effectiveConfig(objects: ConfigObjects, file: Config, log: Logger, validated?: unknown): Promise<{ config: Config; problems: ObjectProblem[] }> {
  // A configuration not read from YAML text (built in code) has no document to merge into: it runs as it is.
  if (rawOf(file) === undefined) return { config: file, problems: [] };
  // A writer that has just validated the whole configuration hands it over: no second read and parse.
  const e = validated !== undefined ? { ok: true as const, config: validated } : await objects.effective();
  if (e.ok) return { config: { ...(e.config as object), source: file.source } as Config, problems: [] };
  log.error({ problems: e.problems.slice(0, 20) }, 'stored configuration objects do not fit the file; they are not applied until fixed');
  return { config: file, problems: e.problems };
}
