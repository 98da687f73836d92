// Every user-visible string of the dashboard comes from one catalogue (dashboard/src/i18n.ts, zh-CN and en): a page
// module with a Chinese string literal outside it fails here. The modules not converted yet are listed in TODO, so
// the gap is explicit; a listed module that no longer has any is a failure too (take it off the list).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(root, 'dashboard/src');
const CATALOGUE = 'dashboard/src/i18n.ts';
/** Still to convert to t('…') (issue #17): none left; a module added here must write its own zh-CN strings. */
const TODO = new Set<string>([]);
const CJK = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]/;

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else if (name.endsWith('.ts')) out.push(relative(root, p));
  }
  return out;
}

/**
 * The lines of a module's code, without its comments, that hold CJK: esbuild (the bundler) strips the comments and
 * types, so what is left with CJK in it is a string, template or regular expression the page would show.
 */
function code(src: string): string[] {
  return transformSync(src, { loader: 'ts', charset: 'utf8', legalComments: 'none' }).code.split('\n').filter((l) => CJK.test(l)).map((l) => l.trim());
}
const cjkStrings = (file: string) => code(readFileSync(join(root, file), 'utf8')).map((l) => `${file}: ${l}`);

test('no module of the dashboard writes a Chinese UI string outside the catalogue (but those still listed in TODO)', () => {
  const all = files(SRC).filter((f) => f !== CATALOGUE);
  assert.ok(all.length > 15, `found the dashboard's modules: ${all.length}`);
  const offenders = all.filter((f) => !TODO.has(f)).flatMap(cjkStrings);
  assert.equal(offenders, [], `hard-coded strings (move them to ${CATALOGUE}):\n${offenders.join('\n')}`);
  const done = [...TODO].filter((f) => cjkStrings(f).length === 0);
  assert.equal(done, [], 'converted: take these off the TODO list');
});

test('the checker sees strings in literals and templates, not in comments', () => {
  assert.equal(code("// 注释\nconst a = '正常'; /* 总览 */ const b = `共 ${n} 条`;\n/** 文档 */\nfunction f() { return 'ok'; }"), ['const a = "正常";', 'const b = `共 ${n} 条`;']);
});

test.run();
