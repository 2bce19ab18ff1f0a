// FNV-1a 64 of a string's UTF-8 bytes, as 16 hex digits: the goldens' fingerprint of the text
// (or template source) each line was made from, so a stale golden is noticed.
export function fnv1a64(text) {
  let h = 0xcbf29ce484222325n;
  for (const b of Buffer.from(text, 'utf8')) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}
