import type { AdapterType, ProvinceAdapter, ProvinceBase } from './types';
import { contractV1 } from './contract-v1';

/**
 * Every province wire format, each with its config schema (reporter/config.ts makes `reporter.province` the union of
 * them, keyed by `adapter`). Adding a province's variant = its file (schema, factory) + one line here.
 */
const REGISTRY = [
  contractV1,
] as const;

type Registry = typeof REGISTRY;
type SchemasOf<T extends readonly { schema: unknown }[]> = { [K in keyof T]: T[K]['schema'] };
export type AdapterName = Registry[number]['name'];

/** The schemas in registry order, typed one by one, as z.discriminatedUnion wants them. */
export const adapterSchemas = REGISTRY.map((a) => a.schema) as unknown as SchemasOf<Registry>;

/** The adapter used when `reporter.province` names none. */
export const DEFAULT_ADAPTER: AdapterName = 'contract-v1';

/** The config's `adapter` → its adapter type. */
export const ADAPTERS = Object.fromEntries(REGISTRY.map((a) => [a.name, a])) as Record<AdapterName, AdapterType<any>>;

/** The adapter `reporter.province` describes, signing with `appSecret`. */
export function createAdapter(cfg: ProvinceBase, appSecret: string): ProvinceAdapter {
  const t = ADAPTERS[cfg.adapter as AdapterName];
  if (!t) throw new Error(`unknown province adapter "${cfg.adapter}"; known: ${Object.keys(ADAPTERS).join(', ')}`);
  return t.create(cfg, appSecret);
}
