/**
 * GBK bytes of a text for tests, from the table of the WHATWG GBK decoder (Node's TextEncoder writes UTF-8 only, and
 * the project has no encoding library). A character without a GBK code throws.
 */
let table: Map<string, number[]> | null = null;

export function toGbk(text: string): Buffer {
  if (!table) {
    const dec = new TextDecoder('gbk');
    table = new Map();
    for (let a = 0x81; a <= 0xfe; a++) {
      for (let b = 0x40; b <= 0xfe; b++) {
        if (b === 0x7f) continue;
        const ch = dec.decode(new Uint8Array([a, b]));
        if (ch.length === 1 && ch !== '\uFFFD' && !table.has(ch)) table.set(ch, [a, b]);
      }
    }
  }
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    if (c < 0x80) out.push(c);
    else {
      const b = table.get(ch);
      if (!b) throw new Error(`no GBK code for ${ch}`);
      out.push(...b);
    }
  }
  return Buffer.from(out);
}
