import { build, version as esbuildVersion } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative, resolve } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
/** Where built bundles are kept between starts (git-ignored). */
export const DIST_DIR = join(here, 'dist');

export interface Bundle {
  js: string;
  css: string;
  /** Content hash of the inputs: names the asset URLs, so a browser never mixes two versions. */
  hash: string;
  builtAt: number;
  ms: number;
  /** Read from dashboard/dist (no build at this start). */
  cached: boolean;
}

interface Manifest {
  hash: string;
  /** The project's own source files the bundle was built from (relative to the repository). */
  inputs: string[];
  builtAt: number;
}

/**
 * The hash of everything a bundle depends on: the project's own input files (the list esbuild reported at the last
 * build), the dependency versions (package-lock.json stands for node_modules: hashing echarts file by file on every
 * start would cost more than it saves), esbuild's version and the options.
 */
function inputsHash(inputs: string[], minify: boolean): string {
  const h = createHash('sha256').update(`esbuild ${esbuildVersion} minify=${minify}\n`);
  h.update(readFileSync(join(root, 'package-lock.json')));
  for (const f of [...inputs].sort()) {
    h.update(`\n${f}\n`);
    h.update(readFileSync(join(root, f)));
  }
  return h.digest('hex').slice(0, 16);
}

function readCached(minify: boolean): Bundle | null {
  try {
    const m = JSON.parse(readFileSync(join(DIST_DIR, 'manifest.json'), 'utf8')) as Manifest;
    if (inputsHash(m.inputs, minify) !== m.hash) return null;
    return { js: readFileSync(join(DIST_DIR, `app.${m.hash}.js`), 'utf8'), css: readFileSync(join(DIST_DIR, `app.${m.hash}.css`), 'utf8'), hash: m.hash, builtAt: m.builtAt, ms: 0, cached: true };
  } catch {
    return null; // no bundle yet, an input moved or vanished, a half-written folder: build anew
  }
}

/**
 * The single-page app (TypeScript, ECharts and the Faro web SDK) as one JS and one CSS file. Built with esbuild once
 * — at `npm install` (the postinstall step runs `app/build.ts`) or at the first start after a source changed —
 * and kept in dashboard/dist under the content hash of its inputs; a start whose inputs are unchanged only reads it.
 */
export async function bundleApp(opts: { minify?: boolean; cache?: boolean } = {}): Promise<Bundle> {
  const minify = opts.minify ?? true;
  const useCache = opts.cache ?? true;
  if (useCache) {
    const hit = readCached(minify);
    if (hit) return hit;
  }
  const t0 = Date.now();
  const res = await build({
    entryPoints: [join(here, 'src/main.ts'), join(here, 'src/styles.css')],
    bundle: true,
    write: false,
    metafile: true,
    outdir: '/out',
    format: 'iife',
    target: ['chrome100', 'firefox100', 'safari15'],
    minify,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const js = res.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
  const css = res.outputFiles.find((f) => f.path.endsWith('.css'))!.text;
  const inputs = Object.keys(res.metafile.inputs)
    .map((p) => relative(root, resolve(process.cwd(), p)))
    .filter((p) => !p.startsWith('node_modules') && !p.startsWith('..'));
  const hash = inputsHash(inputs, minify);
  const bundle: Bundle = { js, css, hash, builtAt: Date.now(), ms: Date.now() - t0, cached: false };
  if (useCache) {
    try {
      // Files first, the manifest last (renamed into place): a crash mid-way leaves the old manifest or none.
      mkdirSync(DIST_DIR, { recursive: true });
      writeFileSync(join(DIST_DIR, `app.${hash}.js`), js);
      writeFileSync(join(DIST_DIR, `app.${hash}.css`), css);
      const tmp = join(DIST_DIR, `manifest.${process.pid}.tmp`);
      writeFileSync(tmp, JSON.stringify({ hash, inputs, builtAt: bundle.builtAt } satisfies Manifest));
      renameSync(tmp, join(DIST_DIR, 'manifest.json'));
    } catch {
      /* a read-only install serves the bundle from memory: it is built again at the next start */
    }
  }
  return bundle;
}
