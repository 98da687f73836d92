#!/usr/bin/env node
// What `npm install` prepares once (its postinstall step) so that `npm start` only reads it: the dashboard bundle
// (dashboard/dist) and the embedded database's initialised cluster (core/db/pglite-template.ts). A failure here
// never fails the install: the server then does the same work at its first start, only slower.
import { bundleApp } from '../dashboard/bundle';
import { defaultTemplatePath } from '../core/db/pglite-template';
import { buildTemplate } from '../core/db/template-build';

try {
  const b = await bundleApp();
  console.log(`dashboard bundle ${b.hash}: ${b.cached ? 'up to date' : `built in ${b.ms} ms`} (${Math.round(b.js.length / 1024)} KB JS)`);
} catch (err) {
  console.warn(`dashboard bundle not built now (${(err as Error).message}); the server builds it at its first start`);
}
try {
  const t = Date.now();
  const bytes = await buildTemplate();
  console.log(`embedded database template ${defaultTemplatePath()}: built in ${Date.now() - t} ms (${Math.round(bytes / 1024)} KB)`);
} catch (err) {
  console.warn(`embedded database template not built (${(err as Error).message}); a new data folder is initialised at its first start`);
}
