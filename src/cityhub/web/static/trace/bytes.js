// Byte helpers for the trace verifier: strict UTF-8, strict base64, hex, concatenation.
// Strict means one accepted spelling per value: a verifier that tolerated several spellings of
// the same bytes would let a proof change its text without changing what it proves.

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export class FormatError extends Error {}

// A JS string from JSON can hold lone surrogates, which have no UTF-8 form. (A loop, not a
// regex with lookbehind, which older phone browsers cannot even parse.)
export function isWellFormed(text) {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

export function utf8(text) {
  if (!isWellFormed(text)) {
    throw new FormatError("text is not valid Unicode (lone surrogate)");
  }
  return encoder.encode(text);
}

export function fromUtf8(bytes) {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new FormatError("bytes are not valid UTF-8");
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function toBase64(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

// Standard alphabet, padded, and canonical: the unused low bits of the last symbol must be zero,
// checked by re-encoding (RFC 4648 §3.5).
export function fromBase64(text, what = "base64") {
  if (typeof text !== "string" || !BASE64.test(text)) {
    throw new FormatError(`${what} is not canonical base64`);
  }
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  if (toBase64(bytes) !== text) throw new FormatError(`${what} is not canonical base64`);
  return bytes;
}

export function toHex(bytes) {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

export function fromHex(text) {
  if (typeof text !== "string" || !/^(?:[0-9a-f]{2})*$/.test(text)) {
    throw new FormatError("not lowercase hex");
  }
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

export function concat(...parts) {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function equal(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

// ASCII decimal without leading zeros, within the exactly representable integers.
export function parseDecimal(text, what) {
  if (!/^(?:0|[1-9][0-9]*)$/.test(text)) throw new FormatError(`${what} is not a decimal number`);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new FormatError(`${what} is too large`);
  return value;
}
