/** Shared patterns (kept apart to avoid an import cycle between validate.ts and rules.ts). */
export const RECORD_ID_PATTERN = /^[A-Za-z0-9_-]{1,50}$/;
