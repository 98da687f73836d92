/** The faults the platform simulator can switch on per service at run time. */
export const faultKinds = ['none', 'latency', '5xx', 'timeout', 'refused', 'tampered', 'degraded', 'dns_changed'] as const;
export type FaultKind = (typeof faultKinds)[number];

export interface Fault {
  fault: FaultKind;
  /** Delay of a latency fault, ms (default 1500). */
  ms?: number;
}
