// In-browser verifier of a batch evidence document (format cityhub.trace/evidence/v1).
//
//   const report = await verifyEvidence(doc, {now, forceFallback});
//
// Everything is checked, nothing is taken from the server on trust: the trust policy, the signed
// checkpoint (log signature, witness cosignatures, quorum), every key registration and every
// event (DSSE signature, event ID, envelope hash, RFC 9162 inclusion), then the batch chain.
// report.ok is true only if every check ran and passed; report.failure names the first problem.
// Rejects with CryptoUnavailable when the browser can do neither WebCrypto nor the fallback.
//
// Report: {ok, crypto: "webcrypto"|"noble", failure, failure_zh,
//   checks: [{id, ok, label_zh, label_en, detail, detail_zh}]   (ids in CHECKS order),
//   events: [{index (log index|null), position (1-based), ok, failures, failures_zh}],
//   keys: [{id, index, ok, failures, failures_zh}],
//   checkpoint: {origin, size, root, witnesses: [policy names], quorum_ok, quorum: {have, need},
//                cosigned_at (latest cosignature, Unix s), age_s (relative to `now`)} | null,
//   timings: {total_ms}}
// Failure texts name the thing, e.g. "event 3 (log index 1207): signature invalid",
// "witness quorum not met: 1 of 2", "event at log index 1190 missing (batch chain gap)".
// Not detectable here: events dropped after the batch's last listed event (nothing points to
// them), and the actors' display names, which are deliberately kept out of the log.

import { FormatError, fromHex } from "./bytes.js";
import { checkChain } from "./chain.js";
import { verifyCheckpoint } from "./checkpoint.js";
import { CryptoUnavailable, loadCrypto } from "./crypto.js";
import { verifyEvent, verifyKey } from "./entries.js";
import { verifyInclusion } from "./merkle.js";
import { parseCheckpoint, parseProofBundle, parseSignedNote } from "./note.js";
import { parsePolicy } from "./policy.js";

export { CryptoUnavailable };

const FORMAT = "cityhub.trace/evidence/v1";
const TRUST = ["policy", "checkpoint", "log_signature", "witnesses"]; // what vouches for the root
const CHECKS = [
  ["document", "证据文件格式", "Evidence document format"],
  ["policy", "信任策略", "Trust policy"],
  ["checkpoint", "检查点与证明包", "Checkpoint and proof bundles"],
  ["log_signature", "日志签名", "Log signature"],
  ["witnesses", "见证人联署", "Witness cosignatures"],
  ["keys", "签名密钥登记", "Signing key registrations"],
  ["events", "事件签名与收录", "Event signatures and log inclusion"],
  ["chain", "批次事件链", "Batch event chain"],
];

function documentProblem(doc) {
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return "not a JSON object";
  if (doc.format !== FORMAT) return `format is not ${FORMAT}`;
  if (typeof doc.batch !== "string" || doc.batch === "") return "batch is missing";
  if (typeof doc.policy !== "string") return "policy is missing";
  if (!Array.isArray(doc.events) || doc.events.length === 0) return "no events";
  const keys = doc.keys;
  if (!keys || typeof keys !== "object" || Array.isArray(keys)) return "keys is missing";
  return null;
}

// The report's checks, in the order their failures are reported.
class Checks {
  constructor() {
    this.items = CHECKS.map(([id, zh, en]) => ({
      id,
      ok: null,
      label_zh: zh,
      label_en: en,
      detail: "",
      detail_zh: "",
    }));
  }
  get(id) {
    return this.items.find((c) => c.id === id);
  }
  pass(id, en, zh) {
    Object.assign(this.get(id), { ok: true, detail: en, detail_zh: zh });
  }
  fail(id, problem) {
    Object.assign(this.get(id), { ok: false, detail: problem.en, detail_zh: problem.zh });
  }
  // The first problem of a list fails the check; an empty list passes it.
  record(id, problems, en, zh) {
    if (problems.length) this.fail(id, problems[0]);
    else this.pass(id, en, zh);
  }
  // A check whose inputs failed did not run, and an unrun check is never a pass.
  skipped() {
    for (const c of this.items.filter((c) => c.ok === null)) {
      Object.assign(c, { ok: false, detail: "not checked", detail_zh: "未能检查" });
    }
  }
  trusted(ids) {
    return ids.every((id) => this.get(id).ok === true);
  }
}

function formatProblem(error, en, zh) {
  if (!(error instanceof FormatError)) throw error; // a bug, not a finding
  return { en: `${en}: ${error.message}`, zh: `${zh}：${error.message}` };
}

// The signed checkpoint all bundles must carry: the first readable bundle's.
function commonCheckpoint(doc) {
  for (const entry of [...doc.events, ...Object.values(doc.keys)]) {
    try {
      return parseProofBundle(entry && entry.bundle).checkpoint;
    } catch {
      // reported with its entry
    }
  }
  return null;
}

async function checkPolicy(checks, cr, doc) {
  try {
    const policy = await parsePolicy(cr.sha256, doc.policy);
    const [logs, witnesses] = [policy.logs.length, policy.witnesses.length];
    const en = `${logs} log(s), ${witnesses} witnesses`;
    checks.pass("policy", en, `${logs} 个日志，${witnesses} 个见证人`);
    return policy;
  } catch (error) {
    checks.fail("policy", formatProblem(error, "trust policy invalid", "信任策略无效"));
    return null;
  }
}

function readCheckpoint(checks, text) {
  try {
    if (text === null) throw new FormatError("no readable proof bundle");
    const note = parseSignedNote(text);
    return { note, checkpoint: parseCheckpoint(note.text) };
  } catch (error) {
    checks.fail("checkpoint", formatProblem(error, "checkpoint malformed", "检查点格式错误"));
    return { note: null, checkpoint: null };
  }
}

// Log signature, cosignatures and quorum; returns the report's checkpoint summary.
async function checkSignatures(checks, cr, policy, note, cp, nowMs) {
  const summary = { origin: cp.origin, size: cp.size, root: cp.rootBase64 };
  Object.assign(summary, { witnesses: [], quorum_ok: false, cosigned_at: null, age_s: null });
  if (!policy) return summary;
  const signed = await verifyCheckpoint(cr, policy, note, cp);
  checks.record("log_signature", signed.log.ok ? [] : [signed.log.problem], cp.origin, cp.origin);
  const { names, times, quorum, problem } = signed.witnesses;
  const listed = names.join(", ");
  checks.record("witnesses", problem ? [problem] : [], listed || "none required", listed || "无需见证");
  const latest = Object.values(times).length ? Math.max(...Object.values(times)) : null;
  return Object.assign(summary, {
    witnesses: names,
    quorum_ok: quorum.ok,
    quorum: { have: quorum.have, need: quorum.need },
    cosigned_at: latest,
    age_s: latest === null ? null : Math.round(nowMs / 1000 - latest),
  });
}

// What the report says about one key or event: its own problems, then the chain's, then
// whether the checkpoint it is proven against is itself verified.
function summarise(result, extra, trusted) {
  const untrusted = { en: "log checkpoint not verified", zh: "日志检查点未通过验证" };
  const problems = [...result.problems, ...extra, ...(trusted ? [] : [untrusted])];
  return {
    index: result.index,
    ok: problems.length === 0,
    failures: problems.map((p) => p.en),
    failures_zh: problems.map((p) => p.zh),
  };
}

async function run(cr, doc, nowMs) {
  const checks = new Checks();
  const report = { ok: false, crypto: cr.name, checks: checks.items, events: [], keys: [] };
  report.checkpoint = null;
  const docProblem = documentProblem(doc);
  if (docProblem) {
    checks.fail("document", { en: `evidence document: ${docProblem}`, zh: `证据文件：${docProblem}` });
    return { report, checks };
  }
  const [nEvents, nKeys] = [doc.events.length, Object.keys(doc.keys).length];
  checks.pass("document", `${nEvents} events, ${nKeys} keys`, `${nEvents} 个事件，${nKeys} 个密钥`);
  const policy = await checkPolicy(checks, cr, doc);
  const ctx = { cr, batch: doc.batch, checkpointText: commonCheckpoint(doc), keys: new Map() };
  const { note, checkpoint: cp } = readCheckpoint(checks, ctx.checkpointText);
  ctx.checkpoint = cp;
  if (cp) report.checkpoint = await checkSignatures(checks, cr, policy, note, cp, nowMs);

  const keyEntries = Object.entries(doc.keys);
  const keys = await Promise.all(keyEntries.map(([id, entry]) => verifyKey(ctx, id, entry)));
  for (const k of keys) ctx.keys.set(k.id, k);
  const events = await Promise.all(doc.events.map((entry, i) => verifyEvent(ctx, i + 1, entry)));

  if (cp) {
    const all = [...keys, ...events].flatMap((r) => r.problems);
    const other = all.filter((p) => p.code === "other-checkpoint");
    const [en, zh] = [`${cp.origin}, size ${cp.size}`, `${cp.origin}，大小 ${cp.size}`];
    checks.record("checkpoint", other, en, zh);
  }
  const keyProblems = keys.flatMap((k) => k.problems);
  checks.record("keys", keyProblems, `${nKeys} keys registered`, `${nKeys} 个密钥已登记`);
  const eventProblems = events.flatMap((r) => r.problems);
  checks.record("events", eventProblems, `${nEvents} events verified`, `${nEvents} 个事件已验证`);
  const chain = checkChain(doc.batch, events);
  checks.record("chain", chain, `${nEvents} events linked`, `${nEvents} 个事件首尾相连`);

  // An entry proven against a checkpoint nobody vouches for is not verified either.
  const trusted = checks.trusted(TRUST);
  report.keys = keys.map((k) => ({ id: k.id, ...summarise(k, [], trusted) }));
  report.events = events.map((r) => {
    const links = chain.filter((p) => p.position === r.position);
    return { position: r.position, ...summarise(r, links, trusted) };
  });
  return { report, checks };
}

export async function verifyEvidence(doc, { now, forceFallback = false } = {}) {
  const started = performance.now();
  const nowMs = now instanceof Date ? now.getTime() : typeof now === "number" ? now : Date.now();
  const cr = await loadCrypto({ forceFallback });
  const { report, checks } = await run(cr, doc, nowMs);
  checks.skipped();
  const failed = report.checks.find((c) => c.ok !== true);
  report.ok = !failed;
  report.failure = failed ? failed.detail : null;
  report.failure_zh = failed ? failed.detail_zh : null;
  report.timings = { total_ms: Math.round((performance.now() - started) * 100) / 100 };
  return report;
}

// One RFC 9162 inclusion proof, hashes as lowercase hex (used by the known-answer tests).
export async function verifyInclusionHex(
  { index, size, leafHash, proof, root },
  { forceFallback = false } = {},
) {
  const cr = await loadCrypto({ forceFallback });
  const hashes = proof.map(fromHex);
  return verifyInclusion(cr.sha256, index, size, fromHex(leafHash), hashes, fromHex(root));
}
