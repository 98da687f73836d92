import { createHash } from 'node:crypto';

/**
 * Normalises an error message so that the same bug groups together whatever ids, numbers, URLs or quoted values
 * it mentions ("Cannot read properties of undefined (reading 'x')" stays; "user 123 not found" → "user <n> not found").
 */
export function normaliseMessage(message: string): string {
  return message
    .slice(0, 2000)
    .replace(/https?:\/\/[^\s'"()]+/g, '<url>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(/\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/gi, '<hex>')
    .replace(/\b\d+(\.\d+)?\b/g, '<n>')
    .replace(/"[^"]{0,200}"/g, '"<s>"')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A frame's file without host, query string and build hashes, so a redeploy does not split a group. */
export function normaliseFilename(filename: string): string {
  let f = filename.replace(/[?#].*$/, '');
  f = f.replace(/^[a-z]+:\/\/[^/]+/i, '');
  return f.replace(/([.-])[0-9a-f]{6,}(?=\.)/gi, '$1<hash>');
}

export interface FrameLike {
  filename?: string;
  function?: string;
}

/** sha256 of type + normalised message + top 3 frames (file and function, no line numbers): the grouping key. */
export function errorFingerprint(type: string, message: string, frames: FrameLike[] = []): string {
  const top = frames
    .slice(0, 3)
    .map((f) => `${normaliseFilename(f.filename ?? '')}:${f.function ?? ''}`)
    .join('|');
  return createHash('sha256').update(`${type}\n${normaliseMessage(message)}\n${top}`).digest('hex').slice(0, 32);
}
