// Verifies the log entries of an evidence document: each actor key's registration and each
// event (DSSE signature, event ID, envelope hash, inclusion in the checkpointed tree).
// Problems are {en, zh, code} (code is rarely set), in the order a reader should see them:
// inclusion first, because a leaf the log does not hold makes everything else about it moot.

import { FormatError, fromUtf8, toBase64, utf8 } from "./bytes.js";
import { canonicalize } from "./jcs.js";
import {
  EVENT_PAYLOAD_TYPE,
  KEY_PAYLOAD_TYPE,
  pae,
  parseEnvelope,
  parseEventLeaf,
  parseKeyLeaf,
} from "./leaf.js";
import { leafHash, verifyInclusion } from "./merkle.js";
import { parseProofBundle, parseVKey, SIG_ED25519 } from "./note.js";

function detail(error) {
  if (error instanceof FormatError) return error.message;
  throw error; // a bug, not a finding: let it surface
}

// Base64 SHA-256 of the envelope's JCS bytes, or null if it has no JCS form (lone surrogates).
async function envelopeHash(cr, envelope) {
  let bytes;
  try {
    bytes = utf8(canonicalize(envelope));
  } catch (error) {
    detail(error);
    return null;
  }
  return toBase64(await cr.sha256(bytes));
}

async function leafHashOf(sha256, leafText) {
  if (typeof leafText !== "string") return null;
  try {
    return await leafHash(sha256, utf8(leafText));
  } catch (error) {
    detail(error);
    return null;
  }
}

// Parses the bundle and checks it is against the document's checkpoint and that `leafText`
// is included. Returns the log index (or null if the bundle is unreadable).
async function checkInclusion(ctx, bundleText, leafText, problem) {
  let bundle;
  try {
    bundle = parseProofBundle(bundleText);
  } catch (error) {
    problem(`proof bundle malformed: ${detail(error)}`, `证明包格式错误：${detail(error)}`);
    return null;
  }
  if (bundle.checkpoint !== ctx.checkpointText) {
    const [en, zh] = ["proof bundle carries a different checkpoint", "证明包中的检查点与其他不同"];
    problem(en, zh, "other-checkpoint");
  } else if (ctx.checkpoint) {
    const sha256 = ctx.cr.sha256;
    const leaf = await leafHashOf(sha256, leafText);
    const { size, root } = ctx.checkpoint;
    const { index, proof } = bundle;
    const included = leaf !== null && (await verifyInclusion(sha256, index, size, leaf, proof, root));
    if (!included) {
      problem("not included in the log (leaf hash ≠ proof)", "未收录于日志（叶哈希与证明不符）");
    }
  } else {
    problem("inclusion not checked (checkpoint unreadable)", "无法检查是否收录（检查点无法读取）");
  }
  return bundle.index;
}

// Resolves to {id, ok, vkey, index, revokedAt, problems}.
export async function verifyKey(ctx, id, entry) {
  const result = { id, ok: false, vkey: null, index: null, revokedAt: null, problems: [] };
  const problem = (en, zh, code = null) =>
    result.problems.push({ en: `key ${id}: ${en}`, zh: `密钥 ${id}：${zh}`, code });
  if (!entry || typeof entry !== "object") {
    problem("entry is not an object", "条目不是对象");
    return result;
  }
  try {
    const vkey = await parseVKey(ctx.cr.sha256, entry.vkey, "vkey");
    if (vkey.type !== SIG_ED25519) throw new FormatError("vkey is not an Ed25519 key");
    if (vkey.keyIdHex !== id) throw new FormatError(`vkey has key id ${vkey.keyIdHex}`);
    result.vkey = vkey;
  } catch (error) {
    problem(`invalid vkey: ${detail(error)}`, `公钥无效：${detail(error)}`);
  }
  result.index = await checkInclusion(ctx, entry.bundle, entry.leaf, problem);
  let leaf = null;
  try {
    leaf = parseKeyLeaf(entry.leaf);
  } catch (error) {
    problem(`registration leaf malformed: ${detail(error)}`, `登记叶格式错误：${detail(error)}`);
  }
  if (leaf && leaf.action !== "register" && leaf.action !== "rotate") {
    problem(`registration leaf is a "${leaf.action}"`, `登记叶的动作是"${leaf.action}"`);
  }
  if (leaf && leaf.key !== entry.vkey) {
    problem("registration leaf names another vkey", "登记叶中的公钥与本密钥不同");
  }
  const ref = entry.actor && entry.actor.ref;
  if (leaf && ref !== undefined && leaf.actor !== ref) {
    problem("registration leaf names another actor", "登记叶中的主体与本密钥不同");
  }
  try {
    const envelope = parseEnvelope(entry.envelope);
    if (envelope.payloadType !== KEY_PAYLOAD_TYPE) {
      problem("key statement has the wrong payload type", "密钥声明的载荷类型错误");
    }
    // A self-signature (proof of possession) is optional; when present it must verify.
    const message = pae(envelope.payloadType, envelope.payload);
    for (const s of envelope.signatures.filter((s) => s.keyid === id && result.vkey)) {
      if (!(await ctx.cr.verifyEd25519(result.vkey.pub, s.sig, message))) {
        problem("key statement self-signature invalid", "密钥声明的自签名无效");
      }
    }
    if (leaf && (await envelopeHash(ctx.cr, entry.envelope)) !== leaf.envelope) {
      problem("key statement hash ≠ registration leaf", "密钥声明哈希与登记叶不符");
    }
  } catch (error) {
    problem(`key statement malformed: ${detail(error)}`, `密钥声明格式错误：${detail(error)}`);
  }
  const revoked = entry.revoked_at_index;
  if (revoked !== null && revoked !== undefined) {
    if (!Number.isSafeInteger(revoked) || revoked < 0 || revoked <= (result.index ?? -1)) {
      problem("revoked_at_index is not a log index after the registration", "吊销序号无效");
    } else {
      result.revokedAt = revoked;
    }
  }
  result.ok = result.problems.length === 0;
  return result;
}

// Resolves to {index, position, ok, leaf, problems}; `position` is 1-based in document order.
export async function verifyEvent(ctx, position, entry) {
  const result = { index: null, position, ok: false, leaf: null, problems: [] };
  const problem = (en, zh, code = null) => {
    const at = result.index === null ? "" : ` (log index ${result.index})`;
    const atZh = result.index === null ? "" : `（日志序号 ${result.index}）`;
    const label = { en: `event ${position}${at}`, zh: `第 ${position} 个事件${atZh}` };
    result.problems.push({ en: `${label.en}: ${en}`, zh: `${label.zh}：${zh}`, code });
  };
  if (!entry || typeof entry !== "object") {
    problem("entry is not an object", "条目不是对象");
    return result;
  }
  try {
    // The index labels every later message, so read it before anything can fail.
    result.index = parseProofBundle(entry.bundle).index;
  } catch {
    // checkInclusion reports the malformed bundle
  }
  await checkInclusion(ctx, entry.bundle, entry.leaf, problem);
  let leaf = null;
  try {
    leaf = parseEventLeaf(entry.leaf);
    result.leaf = leaf;
  } catch (error) {
    problem(`leaf malformed: ${detail(error)}`, `叶格式错误：${detail(error)}`);
  }
  let envelope = null;
  try {
    envelope = parseEnvelope(entry.envelope);
  } catch (error) {
    problem(`envelope malformed: ${detail(error)}`, `签名信封格式错误：${detail(error)}`);
  }
  const signer = leaf ? leaf.signer : entry.signer;
  if (leaf && entry.signer !== leaf.signer) {
    problem(
      `signer ${entry.signer} ≠ leaf signer ${leaf.signer}`,
      `签名者 ${entry.signer} 与叶中的 ${leaf.signer} 不符`,
    );
  }
  const key = ctx.keys.get(signer);
  if (!key) {
    problem(`signer key ${signer} not in the document`, `文件中没有签名密钥 ${signer}`);
  } else if (!key.ok) {
    problem(`signer key ${signer} registration not verified`, `签名密钥 ${signer} 的登记未通过验证`);
  }
  if (envelope) {
    if (envelope.payloadType !== EVENT_PAYLOAD_TYPE) {
      problem(`payload type ${envelope.payloadType} is not an EPCIS event`, "载荷类型不是 EPCIS 事件");
    }
    const mine = envelope.signatures.filter((s) => s.keyid === signer);
    const message = pae(envelope.payloadType, envelope.payload);
    if (!mine.length) {
      problem(`no signature by key ${signer}`, `没有密钥 ${signer} 的签名`);
    } else if (key && key.vkey) {
      let valid = true;
      for (const s of mine) {
        valid = valid && (await ctx.cr.verifyEd25519(key.vkey.pub, s.sig, message));
      }
      if (!valid) problem("signature invalid", "签名无效");
    }
    let event = null;
    try {
      event = JSON.parse(fromUtf8(envelope.payload));
    } catch {
      problem("payload is not JSON", "载荷不是 JSON");
    }
    if (leaf && event !== null && (typeof event !== "object" || event.eventID !== leaf.eventId)) {
      problem("payload eventID ≠ leaf event", "载荷 eventID 与叶中的事件不符");
    }
    if (leaf && (await envelopeHash(ctx.cr, entry.envelope)) !== leaf.envelope) {
      problem("envelope hash ≠ leaf", "信封哈希与叶不符");
    }
  }
  if (key && key.ok && result.index !== null) {
    if (key.revokedAt !== null && result.index > key.revokedAt) {
      problem(
        `signed by key ${signer} after its revocation (log index ${key.revokedAt})`,
        `由已吊销（日志序号 ${key.revokedAt}）的密钥 ${signer} 签名`,
      );
    }
    if (key.index !== null && result.index < key.index) {
      problem(
        `signed by key ${signer} before its registration (log index ${key.index})`,
        `签名早于密钥 ${signer} 的登记（日志序号 ${key.index}）`,
      );
    }
  }
  if (leaf && !leaf.batches.some((b) => b.lot === ctx.batch)) {
    problem(`leaf does not name batch ${ctx.batch}`, `叶中没有批次 ${ctx.batch}`);
  }
  result.ok = result.problems.length === 0;
  return result;
}
