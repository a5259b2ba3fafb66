// Strict parsers for cityhub.trace/leaf/v1 leaves and for DSSE v1 envelopes (+ their PAE).

import { concat, FormatError, fromBase64, parseDecimal, utf8 } from "./bytes.js";

const MAGIC = "cityhub.trace/leaf/v1";
const EVENT_ID = /^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/;
const KEY_ID = /^[0-9a-f]{8}$/;
export const EVENT_PAYLOAD_TYPE = "application/vnd.gs1.epcis.event+json";
export const KEY_PAYLOAD_TYPE = "application/vnd.cityhub.trace.key+json";

function leafLines(text, kind) {
  if (typeof text !== "string" || !text.endsWith("\n")) {
    throw new FormatError("leaf is not text ending in a newline");
  }
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text)) {
    throw new FormatError("leaf contains a control character");
  }
  const lines = text.slice(0, -1).split("\n");
  if (lines[0] !== MAGIC) throw new FormatError(`leaf does not start with ${MAGIC}`);
  if (lines[1] !== `kind ${kind}`) throw new FormatError(`leaf is not "kind ${kind}"`);
  return lines.slice(2);
}

function field(lines, i, name) {
  const line = lines[i];
  if (line === undefined || !line.startsWith(`${name} `)) {
    throw new FormatError(`leaf line ${i + 3} is not "${name} …"`);
  }
  return line.slice(name.length + 1);
}

function envelopeHash(lines, i) {
  const text = field(lines, i, "envelope");
  if (fromBase64(text, "leaf envelope hash").length !== 32) {
    throw new FormatError("leaf envelope hash is not 32 bytes");
  }
  return text;
}

// {eventId, envelope (base64 SHA-256), signer (hex8), batches: [{lot, prev: number|null}]}
export function parseEventLeaf(text) {
  const lines = leafLines(text, "event");
  const eventId = field(lines, 0, "event");
  if (!EVENT_ID.test(eventId)) throw new FormatError("leaf event is not a CBV 2.0 hash ID");
  const envelope = envelopeHash(lines, 1);
  const signer = field(lines, 2, "signer");
  if (!KEY_ID.test(signer)) throw new FormatError("leaf signer is not a hex8 key id");
  const batches = [];
  for (let i = 3; i < lines.length; i++) {
    const parts = field(lines, i, "batch").split(" ");
    if (parts.length !== 2 || parts[0] === "") {
      throw new FormatError(`leaf line ${i + 3} is not "batch <lot> <prev>"`);
    }
    const prev = parts[1] === "-" ? null : parseDecimal(parts[1], `leaf line ${i + 3} prev`);
    if (batches.length && !(batches[batches.length - 1].lot < parts[0])) {
      throw new FormatError("leaf batch lines are not sorted by lot URI");
    }
    batches.push({ lot: parts[0], prev });
  }
  return { eventId, envelope, signer, batches };
}

// {action, actor, key (vkey text), envelope (base64 SHA-256)}
export function parseKeyLeaf(text) {
  const lines = leafLines(text, "key");
  if (lines.length !== 4) throw new FormatError("key leaf does not have exactly six lines");
  const action = field(lines, 0, "action");
  if (!["register", "rotate", "revoke"].includes(action)) {
    throw new FormatError("key leaf action is not register, rotate or revoke");
  }
  const actor = field(lines, 1, "actor");
  const key = field(lines, 2, "key");
  if (actor === "" || key === "") throw new FormatError("key leaf has an empty actor or key");
  return { action, actor, key, envelope: envelopeHash(lines, 3) };
}

// {payloadType, payload (bytes), signatures: [{keyid, sig (bytes)}]}
export function parseEnvelope(envelope) {
  if (!envelope || typeof envelope !== "object" || Array.isArray(envelope)) {
    throw new FormatError("envelope is not an object");
  }
  const { payload, payloadType, signatures } = envelope;
  if (typeof payloadType !== "string") throw new FormatError("envelope payloadType is not text");
  const bytes = fromBase64(payload, "envelope payload");
  if (!Array.isArray(signatures) || signatures.length === 0) {
    throw new FormatError("envelope has no signatures");
  }
  return {
    payloadType,
    payload: bytes,
    signatures: signatures.map((s, i) => {
      if (!s || typeof s.keyid !== "string") {
        throw new FormatError(`envelope signature ${i + 1} has no keyid`);
      }
      return { keyid: s.keyid, sig: fromBase64(s.sig, `envelope signature ${i + 1}`) };
    }),
  };
}

// DSSE v1 pre-authentication encoding: "DSSEv1" SP len(type) SP type SP len(body) SP body,
// lengths in bytes as ASCII decimal.
export function pae(payloadType, payload) {
  const type = utf8(payloadType);
  return concat(utf8(`DSSEv1 ${type.length} `), type, utf8(` ${payload.length} `), payload);
}
