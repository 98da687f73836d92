import type { z } from 'zod';
import { contentProbe, contentSpecSchema } from './content';
import { dnsProbe, dnsSpecSchema } from './dns';
import { heartbeatProbe, heartbeatSpecSchema } from './heartbeat';
import { httpProbe, httpSpecSchema } from './http';
import { tcpProbe, tcpSpecSchema } from './tcp';
import { tlsProbe, tlsSpecSchema } from './tls';
import type { Probe } from './types';

export type { Probe, ProbeContext, ProbeOutcome, PhaseTimings } from './types';
export { checkContent, type ContentCheck, type ContentSpec } from './content';
export { heartbeatStatus, type HeartbeatSpec } from './heartbeat';
export { normalise, normaliseRulesSchema } from './content-normalise';
export type { HttpSpec } from './http';
export type { TcpSpec } from './tcp';
export type { DnsSpec } from './dns';
export type { TlsSpec } from './tls';

export interface ProbeType<S extends z.ZodType = z.ZodType> {
  probe: Probe<z.output<S>>;
  specSchema: S;
  /** push: results come from outside (heartbeats); the scheduler still runs the probe to judge the last beat. */
  kind: 'active' | 'push';
  /** Facts the collector must inject into the spec before each run (baseline, previous answers, heartbeat state). */
  injected?: string;
}

function entry<S extends z.ZodType>(specSchema: S, probe: Probe<z.output<S>>, kind: 'active' | 'push' = 'active', injected?: string): ProbeType<S> {
  return { probe, specSchema, kind, injected };
}

/** The config's target `type` → its probe and spec schema. Adding a probe type = one file + one line here. */
export const probeRegistry = {
  http: entry(httpSpecSchema, httpProbe),
  tcp: entry(tcpSpecSchema, tcpProbe),
  dns: entry(dnsSpecSchema, dnsProbe, 'active', 'previousAnswers'),
  tls: entry(tlsSpecSchema, tlsProbe),
  content: entry(contentSpecSchema, contentProbe, 'active', 'baseline'),
  heartbeat: entry(heartbeatSpecSchema, heartbeatProbe, 'push', 'state'),
} as const;

export type ProbeTypeName = keyof typeof probeRegistry;
export const probeTypeNames = Object.keys(probeRegistry) as ProbeTypeName[];

/** The spec schemas alone, for the collector config (`z.discriminatedUnion` or per-type lookup). */
export const probeSpecSchemas = {
  http: httpSpecSchema,
  tcp: tcpSpecSchema,
  dns: dnsSpecSchema,
  tls: tlsSpecSchema,
  content: contentSpecSchema,
  heartbeat: heartbeatSpecSchema,
} as const;

export function isProbeType(t: string): t is ProbeTypeName {
  return Object.hasOwn(probeRegistry, t);
}
