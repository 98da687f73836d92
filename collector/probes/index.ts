import { z } from 'zod';
import { contentProbeType } from './content';
import { dnsProbeType } from './dns';
import { heartbeatProbeType } from './heartbeat';
import { httpProbeType } from './http';
import { smtpProbeType } from './smtp';
import { tcpProbeType } from './tcp';
import { tlsProbeType } from './tls';
import type { ProbeType } from './types';

export type { Probe, ProbeContext, ProbeOutcome, PhaseTimings, ProbeType, ProbeState, ProbeStateInput, ProbeStateSources } from './types';
export { checkContent, type ContentCheck, type ContentSpec } from './content';
export { heartbeatStatus, type HeartbeatSpec } from './heartbeat';
export { normalise, normaliseRulesSchema } from './content-normalise';
export type { HttpSpec } from './http';
export type { TcpSpec } from './tcp';
export type { DnsSpec } from './dns';
export type { TlsSpec } from './tls';
export type { SmtpSpec } from './smtp';

/**
 * Every probe type, each with its spec schema and the state it needs (collector/config.ts makes the targets' union
 * of them; the engine runs them without knowing any). Adding a probe type = its file + one line here.
 */
const REGISTRY = [
  httpProbeType,
  tcpProbeType,
  dnsProbeType,
  tlsProbeType,
  contentProbeType,
  heartbeatProbeType,
  smtpProbeType,
] as const;

type Registry = typeof REGISTRY;
export type ProbeTypeName = Registry[number]['type'];

/** The config's target `type` → its probe type. */
export const PROBE_TYPES = Object.fromEntries(REGISTRY.map((p) => [p.type, p])) as unknown as { [P in Registry[number] as P['type']]: P };
export const probeTypeNames = REGISTRY.map((p) => p.type) as ProbeTypeName[];

export function isProbeType(t: string): t is ProbeTypeName {
  return Object.hasOwn(PROBE_TYPES, t);
}

/** The probe type of a target's `type`, untyped (the engine and the config look types up by the configured string). */
export function probeTypeOf(t: string): ProbeType | undefined {
  return isProbeType(t) ? (PROBE_TYPES[t] as unknown as ProbeType) : undefined;
}

type SpecOptions<T extends readonly ProbeType<z.ZodType, string>[]> = {
  [K in keyof T]: z.ZodObject<{ type: z.ZodLiteral<T[K]['type']>; spec: T[K]['spec'] }>;
};

/** `{ type, spec }` of a target as the discriminated union of the registry's spec schemas (collector/config.ts). */
export const targetSpecSchema = z.discriminatedUnion(
  'type',
  REGISTRY.map((p) => z.object({ type: z.literal(p.type), spec: p.spec })) as unknown as SpecOptions<Registry>,
);
export type TargetSpec = z.output<typeof targetSpecSchema>;
