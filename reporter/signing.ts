import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';

/**
 * Request signing of the provincial gateway (province-api.md, "Signing"). Pure functions of their inputs: the caller
 * passes the clock value and the nonce, so tests pin them and the simulator verifies with the same code path.
 */
export type SignMethod = 'HMAC-SM3' | 'HMAC-SHA256';
export const SIGN_METHODS: SignMethod[] = ['HMAC-SM3', 'HMAC-SHA256'];

/** node:crypto algorithm for a sign method: the body hash uses the same family as the HMAC. */
export function hashAlgorithm(method: SignMethod): 'sm3' | 'sha256' {
  return method === 'HMAC-SM3' ? 'sm3' : 'sha256';
}

export function bodyHash(method: SignMethod, body: string | Uint8Array): string {
  return createHash(hashAlgorithm(method)).update(body).digest('hex');
}

export interface SignInput {
  method: string; // HTTP method
  pathWithQuery: string;
  timestamp: string; // Unix ms, as sent
  nonce: string;
  body: string | Uint8Array; // raw body bytes; '' when there is none
}

export function stringToSign(signMethod: SignMethod, i: SignInput): string {
  return [i.method.toUpperCase(), i.pathWithQuery, i.timestamp, i.nonce, bodyHash(signMethod, i.body)].join('\n');
}

export function signature(signMethod: SignMethod, appSecret: string, i: SignInput): string {
  return createHmac(hashAlgorithm(signMethod), appSecret).update(stringToSign(signMethod, i), 'utf8').digest('hex');
}

export function newNonce(): string {
  return randomBytes(16).toString('hex'); // 32 hex characters, within the contract's 16–64
}

export interface SignedHeaders {
  'X-App-Key': string;
  'X-Timestamp': string;
  'X-Nonce': string;
  'X-Sign-Method': SignMethod;
  'X-Signature': string;
  'X-Request-Id': string;
}

/** Every header a signed request carries. `nowMs`, `nonce` and `requestId` may be pinned (tests). */
export function signRequest(opts: {
  appKey: string;
  appSecret: string;
  signMethod: SignMethod;
  method: string;
  pathWithQuery: string;
  body: string | Uint8Array;
  nowMs: number;
  nonce?: string;
  requestId?: string;
}): SignedHeaders {
  const timestamp = String(Math.trunc(opts.nowMs));
  const nonce = opts.nonce ?? newNonce();
  return {
    'X-App-Key': opts.appKey,
    'X-Timestamp': timestamp,
    'X-Nonce': nonce,
    'X-Sign-Method': opts.signMethod,
    'X-Signature': signature(opts.signMethod, opts.appSecret, { method: opts.method, pathWithQuery: opts.pathWithQuery, timestamp, nonce, body: opts.body }),
    'X-Request-Id': opts.requestId ?? randomUUID(),
  };
}
