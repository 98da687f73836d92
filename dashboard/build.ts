#!/usr/bin/env node
// Builds the dashboard bundle into dashboard/dist (npm install runs this as its postinstall step), so that `npm start`
// only reads it. A failure here never fails the install: the server then builds the bundle at its first start.
import { bundleApp } from './bundle';

try {
  const b = await bundleApp();
  console.log(`dashboard bundle ${b.hash}: ${b.cached ? 'up to date' : `built in ${b.ms} ms`} (${Math.round(b.js.length / 1024)} KB JS)`);
} catch (err) {
  console.warn(`dashboard bundle not built now (${(err as Error).message}); the server builds it at its first start`);
}
