import { probeRegistry, type ProbeType } from './probes/index';

export type { ProbeType };

/** The engine's one view of the probe types (collector/probes/index.ts): type → {probe, specSchema, kind, injected}. */
export const probeTypes: Record<string, ProbeType> = probeRegistry as unknown as Record<string, ProbeType>;
