import type { AdapterSettings, ProvinceAdapter } from './types';
import { createContractV1 } from './contract-v1';

/** The wire formats this reporter speaks, by the name `reporter.province.adapter` gives. */
export const ADAPTERS: Record<string, (s: AdapterSettings) => ProvinceAdapter> = {
  'contract-v1': createContractV1,
};

export function createAdapter(name: string, s: AdapterSettings): ProvinceAdapter {
  const f = ADAPTERS[name];
  if (!f) throw new Error(`unknown province adapter "${name}"; known: ${Object.keys(ADAPTERS).join(', ')}`);
  return f(s);
}
