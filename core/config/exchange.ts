import YAML, { LineCounter, isMap, isSeq, type Node } from 'yaml';
import type { ConfigObjects, ImportPlan, ObjectProblem } from './store';

/**
 * Export and import of the running configuration as YAML (README: 统一配置), one implementation for the CLI
 * (`config export|import`, app/cli/config.ts) and the admin API (POST /api/config/import, core/config/document-routes.ts).
 */

/** What runs, as YAML that an import reads back unchanged. */
export async function exportYaml(objects: ConfigObjects): Promise<string> {
  return `# city-ops 配置导出（config export）：运行中的模块、监测对象、告警规则、接收者与告警路由树\n${YAML.stringify(await objects.exportDoc(), { lineWidth: 0 })}`;
}

/** A YAML syntax error, with the line and column it is at (1-based). */
export class ImportSyntaxError extends Error {
  constructor(message: string, readonly line?: number, readonly col?: number) {
    super(message);
  }
}

/** Reads an import document (YAML), or throws ImportSyntaxError naming the file and the line of the syntax error. */
export function readImportDoc(text: string, file: string): unknown {
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0];
    throw new ImportSyntaxError(`${file}: YAML 语法错误：${e.message.split('\n')[0]}`, pos?.line, pos?.col);
  }
  try {
    return doc.toJS() ?? {};
  } catch (err) {
    // e.g. more alias expansions than the parser allows (a "billion laughs" document)
    throw new ImportSyntaxError(`${file}: YAML 无法读取：${(err as Error).message.split('\n')[0]}`);
  }
}

/** A plan's problem with the line of the file it is at, when it can be found. */
export type LocatedProblem = ObjectProblem & { line?: number };

/** "spec.expectStatus[0]" → ['spec', 'expectStatus', 0]. */
function pathOf(field: string): (string | number)[] {
  return [...field.matchAll(/\[(\d+)\]|([^.[\]]+)/g)].map((m) => (m[1] !== undefined ? Number(m[1]) : m[2]));
}

/**
 * The line of each problem in the YAML text: the field inside the object when the text has it, else the object, else
 * the list. The plan names objects by kind and id; where they are in the text is read from the same document.
 */
export function locateProblems(objects: ConfigObjects, text: string, problems: ObjectProblem[]): LocatedProblem[] {
  const lc = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: lc });
  if (doc.errors.length) return problems;
  const lineOf = (n: unknown) => {
    const r = (n as Node | undefined)?.range;
    return r ? lc.linePos(r[0]).line : undefined;
  };
  return problems.map((p) => {
    const kind = p.object ? objects.kind(p.object.kind) : [...objects.kinds.values()].find((k) => p.field.startsWith(`${k.section}.${k.key}`));
    if (!kind) return p;
    const list = doc.getIn([kind.section, kind.key], true);
    if (!p.object) return { ...p, line: lineOf(doc.getIn(pathOf(p.field), true)) ?? lineOf(list) };
    if (!isSeq(list)) return p;
    const i = list.items.findIndex((it) => isMap(it) && String(it.get(kind.idKey)) === p.object!.id);
    if (i < 0) return p;
    const field = p.field.startsWith(`${kind.section}.`) ? [] : pathOf(p.field);
    // The deepest node of the field's path that the text has (a missing key: its object).
    for (let n = field.length; n > 0; n--) {
      const at = lineOf(doc.getIn([kind.section, kind.key, i, ...field.slice(0, n)], true));
      if (at !== undefined) return { ...p, line: at };
    }
    return { ...p, line: lineOf(list.items[i]) };
  });
}

/** An import as the API answers it and the CLI prints it: the plan, its problems with their lines, what was done. */
export interface ImportReport {
  plan: ImportPlan;
  errors: LocatedProblem[];
  /** Objects created, changed, archived (not the kept ones). */
  changed: number;
  applied: boolean;
}

/**
 * Plans a YAML document against what runs and applies it in one transaction, unless `dryRun` or it has problems.
 * Throws ImportSyntaxError for YAML that does not parse.
 */
export async function importYaml(objects: ConfigObjects, text: string, opts: { file: string; dryRun: boolean; prune?: boolean; actor: { name: string; role?: string; reason?: string } }): Promise<ImportReport> {
  const plan = await objects.plan(readImportDoc(text, opts.file), opts.prune);
  const errors = plan.errors.length ? locateProblems(objects, text, plan.errors) : [];
  const changed = plan.changes.filter((c) => c.op !== 'keep').length;
  const apply = !opts.dryRun && !plan.errors.length && changed > 0;
  if (apply) await objects.apply(plan, opts.actor);
  return { plan, errors, changed, applied: apply };
}
