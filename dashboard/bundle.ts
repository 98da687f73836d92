import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));

export interface Bundle {
  js: string;
  css: string;
  builtAt: number;
  ms: number;
}

/**
 * Bundles the single-page app (TypeScript, ECharts and the Faro web SDK) in memory with esbuild, once per process,
 * at the first request or at start. No separate build command: `npm start` is all a user runs.
 */
export async function bundleApp(opts: { minify?: boolean } = {}): Promise<Bundle> {
  const t0 = Date.now();
  const res = await build({
    entryPoints: [join(here, 'src/main.ts'), join(here, 'src/styles.css')],
    bundle: true,
    write: false,
    outdir: '/out',
    format: 'iife',
    target: ['chrome100', 'firefox100', 'safari15'],
    minify: opts.minify ?? true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const js = res.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
  const css = res.outputFiles.find((f) => f.path.endsWith('.css'))!.text;
  return { js, css, builtAt: Date.now(), ms: Date.now() - t0 };
}
