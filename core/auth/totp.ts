/**
 * TOTP second factor (RFC 6238: 6 digits, 30 s, SHA-1, as every authenticator app reads it), with the `otpauth`
 * library. A code is accepted one step either side of now, and each time step only once (replay).
 */
import { Secret, TOTP } from 'otpauth';

const PERIOD_S = 30;

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export function totpUri(secret: string, issuer: string, account: string): string {
  return new TOTP({ issuer, label: account, secret: Secret.fromBase32(secret), period: PERIOD_S, digits: 6, algorithm: 'SHA1' }).toString();
}

/** The time step the code belongs to, or null when it is not a current code. */
export function totpStep(secret: string, code: string, nowMs: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const totp = new TOTP({ secret: Secret.fromBase32(secret), period: PERIOD_S, digits: 6, algorithm: 'SHA1' });
  const delta = totp.validate({ token: code, timestamp: nowMs, window: 1 });
  return delta === null ? null : Math.floor(nowMs / 1000 / PERIOD_S) + delta;
}

/** A valid code for a secret at an instant (tests, and the enrolment check). */
export function totpCode(secret: string, nowMs: number): string {
  return new TOTP({ secret: Secret.fromBase32(secret), period: PERIOD_S, digits: 6, algorithm: 'SHA1' }).generate({ timestamp: nowMs });
}
