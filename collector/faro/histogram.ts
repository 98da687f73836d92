/**
 * Logarithmic bins 4 % wide over value × 1000 (so CLS, a fraction, and milliseconds share one scale): a value's bin
 * is mergeable across hours and pages, and the bin's middle is within 2 % of every value in it.
 */
const GROWTH = Math.log(1.04);

export function vitalBin(value: number): number {
  return Math.floor(Math.log1p(Math.max(0, value) * 1000) / GROWTH);
}

/** The middle of a bin, back in the metric's unit. */
export function binValue(bin: number): number {
  return Math.expm1((bin + 0.5) * GROWTH) / 1000;
}

export const BIN_VALUE_SQL = `(exp((bin + 0.5) * ln(1.04)) - 1) / 1000`;
