import { readFileSync } from 'node:fs';
import { isAbsolute, resolve, dirname } from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';

/**
 * Configuration loading, for any schema: YAML in, every problem at once out, each with its file, line and column.
 * The schema of the whole file is assembled by the composition root (app/config.ts) from the core's sections and the
 * areas' own; the core knows none of the areas' sections.
 */

/** Where a configuration came from; paths in it are relative to `dir`. */
export interface ConfigSource {
  source: { file: string; dir: string };
}

export interface ConfigProblem {
  path: string;
  line?: number;
  column?: number;
  message: string;
  found?: string;
}

/** A configuration that must not be used: every problem, each with where it is and how to fix it. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(
      `configuration ${file} is not valid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems
          .map(
            (p) =>
              `  ${file}${p.line ? `:${p.line}:${p.column}` : ''} at ${p.path || '(top level)'}: ${p.message}` +
              (p.found !== undefined ? `; found ${p.found}` : ''),
          )
          .join('\n'),
    );
    this.name = 'ConfigError';
  }
}

// Keys whose value is a secret: a problem with one never shows the value (the message goes to the log and the screen).
const SECRET_PATH = /pass(word)?|secret|token|api[-_]?key|^key$/i;

function describe(v: unknown, path: PropertyKey[] = []): string {
  if (v === undefined) return 'nothing';
  const last = String(path.at(-1) ?? '');
  if (typeof v === 'string' && (SECRET_PATH.test(last) || path.join('.') === 'database.url')) return `a secret of ${[...v].length} characters (not shown)`;
  const s = JSON.stringify(v);
  return s && s.length > 80 ? s.slice(0, 77) + '...' : String(s);
}

/** Parses and validates configuration text. `file` is used in error messages and to resolve relative paths. */
export function parseConfigWith<S extends z.ZodType>(configSchema: S, text: string, file = '<inline>'): z.output<S> & ConfigSource {
  const lc = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter: lc });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => {
        const pos = lc.linePos(e.pos[0]);
        return { path: '', line: pos.line, column: pos.col, message: `YAML syntax: ${e.message.split('\n')[0]}` };
      }),
    );
  }
  const raw = (doc.toJS() ?? {}) as unknown;
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(
      file,
      result.error.issues.map((issue) => {
        const path = issue.path.map(String);
        // Point at the deepest node of the path that exists in the file.
        let node: unknown = undefined;
        for (let n = path.length; n >= 0 && !node; n--) node = doc.getIn(path.slice(0, n).map(toKey), true);
        let range = (node as { range?: [number, number, number] } | undefined)?.range;
        // An unknown key is shown at its own line, not at the mapping that holds it.
        if (issue.code === 'unrecognized_keys' && YAML.isMap(node)) {
          const pair = node.items.find((it) => YAML.isScalar(it.key) && String(it.key.value) === issue.keys[0]);
          const keyRange = pair && YAML.isScalar(pair.key) ? pair.key.range : undefined;
          if (keyRange) range = keyRange;
        }
        const pos = range ? lc.linePos(range[0]) : undefined;
        const value = valueAt(raw, issue.path);
        let message = issue.message;
        if (issue.code === 'unrecognized_keys') message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (check the spelling; see ops/config.example.yaml)`;
        if (value === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union')) message = `required: this key is missing (${message})`;
        return {
          path: formatPath(issue.path),
          line: pos?.line,
          column: pos?.col,
          message,
          found: issue.code === 'unrecognized_keys' ? undefined : describe(value, issue.path),
        };
      }),
    );
  }
  const dir = dirname(resolve(file));
  const out = { ...(result.data as object), source: { file, dir } } as z.output<S> & ConfigSource;
  RAW.set(out, raw);
  return out;
}

const RAW = new WeakMap<object, unknown>();
/** The document a parsed configuration was read from (input form: no defaults filled in), for the configuration store. */
export function rawOf(config: object): unknown {
  return RAW.get(config);
}

export function loadConfigWith<S extends z.ZodType>(configSchema: S, file: string): z.output<S> & ConfigSource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the file (${(err as NodeJS.ErrnoException).code}); pass --config PATH or copy ops/config.example.yaml` }]);
  }
  return parseConfigWith(configSchema, text, file);
}

/** A path from the configuration, relative to the configuration file's folder. */
export function configPath(config: ConfigSource, p: string): string {
  return isAbsolute(p) ? p : resolve(config.source.dir, p);
}

function toKey(k: string): string | number {
  return /^\d+$/.test(k) ? Number(k) : k;
}

function valueAt(obj: unknown, path: PropertyKey[]): unknown {
  let cur = obj as Record<PropertyKey, unknown> | undefined;
  for (const k of path) {
    if (cur == null || typeof cur !== 'object') return undefined;
    cur = cur[k] as Record<PropertyKey, unknown> | undefined;
  }
  return cur;
}

function formatPath(path: PropertyKey[]): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join('');
}
