// The dependency rules of the tree (README, "Layout"), checked by `npm test` (npm run deps) with dependency-cruiser.
// Production code only: tests, test kits and benchmarks may reach across to build their fixtures.
const AREAS = '(collector|alerts|reporter|dashboard)';
const NOT_PRODUCTION = '(\\.test\\.ts$|testkit\\.ts$|/testing/|^test/|^bench/)';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'No import cycle anywhere: a cycle is two modules that cannot be understood (or loaded) apart.',
      from: { pathNot: NOT_PRODUCTION },
      to: { circular: true, viaOnly: { pathNot: NOT_PRODUCTION } },
    },
    {
      name: 'areas-never-import-each-other',
      severity: 'error',
      comment: 'An area talks to another only through the database and the HTTP API; the composition root (app/) wires them.',
      from: { path: `^${AREAS}/`, pathNot: NOT_PRODUCTION },
      to: { path: `^${AREAS}/`, pathNot: ['^$1/'] },
    },
    {
      name: 'core-knows-no-area',
      severity: 'error',
      comment: 'core/ is what every area shares; it imports no area, no composition root, no simulator.',
      from: { path: '^core/', pathNot: NOT_PRODUCTION },
      to: { path: `^(${AREAS.slice(1, -1)}|app|ops)/` },
    },
    {
      name: 'simulators-only-through-the-demo-wiring',
      severity: 'error',
      comment: 'The platform and gateway simulators (ops/) reach production code only through app/demo.ts.',
      from: { path: '^(core|app|collector|alerts|reporter|dashboard)/', pathNot: [NOT_PRODUCTION, '^app/demo\\.ts$'] },
      to: { path: '^ops/' },
    },
    {
      name: 'nothing-imports-the-composition-root',
      severity: 'error',
      comment: 'app/ stands above the areas: nothing below it imports it.',
      from: { path: '^(core|collector|alerts|reporter|dashboard|contract|ops)/', pathNot: NOT_PRODUCTION },
      to: { path: '^app/' },
    },
    {
      name: 'contract-is-types-only-and-self-contained',
      severity: 'error',
      comment: 'contract/ (the JSON shapes of the API) imports nothing outside itself, so both sides can share it.',
      from: { path: '^contract/' },
      to: { pathNot: '^contract/' },
    },
    {
      name: 'dashboard-app-talks-http-only',
      severity: 'error',
      comment: 'The browser app (dashboard/src) shares with the server only the contract and pure helpers (core/china-time, core/auth/roles).',
      from: { path: '^dashboard/src/' },
      to: { path: '^(core|collector|alerts|reporter|app|ops)/', pathNot: '^core/(china-time|auth/roles)\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|data|test-artifacts|dashboard/dist)/' },
    parser: 'swc',
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'] },
    moduleSystems: ['es6', 'cjs'],
  },
};
