// Strict parsers for C2SP signed notes, vkeys, checkpoints and tlog-proof bundles.
// Every parser throws FormatError saying what is wrong; none of them checks a signature.

import { concat, FormatError, fromBase64, parseDecimal, toHex, utf8 } from "./bytes.js";

export const SIG_ED25519 = 0x01;
export const SIG_COSIGNATURE = 0x04;
const MAX_SIGNATURES = 64; // the spec asks verifiers to accept at least 16
const MAX_PROOF_HASHES = 64;
const BUNDLE_MAGIC = "c2sp.org/tlog-proof@v1";

function checkKeyName(name, what) {
  // Non-empty, no Unicode space and no "+" (signed-note §Format).
  if (!name || /[\s+]/u.test(name)) throw new FormatError(`${what}: invalid key name "${name}"`);
}

// key ID = SHA-256(name || "\n" || type || public key)[:4]
export async function keyId(sha256, name, type, pub) {
  const digest = await sha256(concat(utf8(`${name}\n`), Uint8Array.of(type), pub));
  return digest.subarray(0, 4);
}

// `<name>+<hex8 key id>+<base64(type || pub32)>`; the key id must be the one the key implies.
export async function parseVKey(sha256, text, what = "vkey") {
  if (typeof text !== "string") throw new FormatError(`${what} is not a string`);
  const plus = text.indexOf("+");
  const name = plus < 0 ? "" : text.slice(0, plus);
  const hex = text.slice(plus + 1, plus + 9);
  if (plus < 0 || text[plus + 9] !== "+" || !/^[0-9a-f]{8}$/.test(hex)) {
    throw new FormatError(`${what} is not <name>+<hex8>+<base64>`);
  }
  checkKeyName(name, what);
  const raw = fromBase64(text.slice(plus + 10), what);
  if (raw.length !== 33 || (raw[0] !== SIG_ED25519 && raw[0] !== SIG_COSIGNATURE)) {
    throw new FormatError(`${what}: not an Ed25519 (0x01) or cosignature (0x04) key`);
  }
  const type = raw[0];
  const pub = raw.subarray(1);
  const id = await keyId(sha256, name, type, pub);
  if (toHex(id) !== hex) throw new FormatError(`${what}: key id ${hex} does not match the key`);
  return { text, name, type, pub, keyId: id, keyIdHex: hex };
}

// Note text, the last blank line, then lines "— <name> <base64(keyid4 || signature)>\n".
export function parseSignedNote(text) {
  if (typeof text !== "string") throw new FormatError("signed note is not a string");
  utf8(text); // rejects lone surrogates: the note must be valid UTF-8
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text)) {
    throw new FormatError("signed note contains a control character other than newline");
  }
  const split = text.lastIndexOf("\n\n");
  if (split < 0) throw new FormatError("signed note has no blank line before its signatures");
  const body = text.slice(0, split + 1);
  const block = text.slice(split + 2);
  if (!block.endsWith("\n")) throw new FormatError("signed note does not end with a newline");
  const lines = block.slice(0, -1).split("\n");
  if (lines.length > MAX_SIGNATURES) throw new FormatError("signed note has too many signatures");
  const signatures = lines.map((line, i) => {
    const what = `signature line ${i + 1}`;
    if (!line.startsWith("\u2014 ")) throw new FormatError(`${what} does not start with "— "`);
    const parts = line.slice(2).split(" ");
    if (parts.length !== 2) throw new FormatError(`${what} is not "— <name> <signature>"`);
    checkKeyName(parts[0], what);
    const raw = fromBase64(parts[1], what);
    if (raw.length < 5) throw new FormatError(`${what} is too short`);
    return { name: parts[0], keyId: raw.subarray(0, 4), sig: raw.subarray(4) };
  });
  return { text: body, signatures };
}

// tlog-checkpoint body: origin, size, base64 root, then optional non-empty extension lines.
export function parseCheckpoint(body) {
  const lines = body.slice(0, -1).split("\n");
  if (!body.endsWith("\n") || lines.length < 3 || lines.some((line) => line === "")) {
    throw new FormatError("checkpoint is not origin, size and root on non-empty lines");
  }
  const root = fromBase64(lines[2], "checkpoint root");
  if (root.length !== 32) throw new FormatError("checkpoint root is not 32 bytes");
  return {
    origin: lines[0],
    size: parseDecimal(lines[1], "checkpoint size"),
    root,
    rootBase64: lines[2],
    extensions: lines.slice(3),
  };
}

// c2sp.org/tlog-proof@v1: magic, [extra], index, proof hashes, blank line, signed checkpoint.
export function parseProofBundle(text) {
  if (typeof text !== "string" || !text.startsWith(`${BUNDLE_MAGIC}\n`)) {
    throw new FormatError(`proof bundle does not start with ${BUNDLE_MAGIC}`);
  }
  const blank = text.indexOf("\n\n");
  if (blank < 0) throw new FormatError("proof bundle has no blank line before its checkpoint");
  const lines = text.slice(0, blank).split("\n").slice(1);
  let extra = null;
  if (lines.length && lines[0].startsWith("extra ")) {
    extra = fromBase64(lines.shift().slice(6), "proof bundle extra");
    // Empty extra data would be written "extra " and is not a form the spec produces.
    if (extra.length === 0) throw new FormatError("proof bundle extra is empty");
  }
  const indexLine = lines.shift();
  if (!indexLine || !indexLine.startsWith("index ")) {
    throw new FormatError('proof bundle has no "index <n>" line');
  }
  const index = parseDecimal(indexLine.slice(6), "proof bundle index");
  if (lines.length > MAX_PROOF_HASHES) throw new FormatError("proof bundle path is too long");
  const proof = lines.map((line, i) => {
    const hash = fromBase64(line, `proof hash ${i + 1}`);
    if (hash.length !== 32) throw new FormatError(`proof hash ${i + 1} is not 32 bytes`);
    return hash;
  });
  return { extra, index, proof, checkpoint: text.slice(blank + 2) };
}
