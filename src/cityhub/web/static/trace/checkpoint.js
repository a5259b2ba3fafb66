// Verifies a signed checkpoint against a trust policy: the log's Ed25519 note signature
// (signed-note) and the witnesses' timestamped cosignatures (tlog-cosignature, type 0x04),
// then the policy's quorum. Signature lines of keys the policy does not know are ignored, as
// signed-note requires; a known key whose signature fails rejects the checkpoint.

import { equal, utf8 } from "./bytes.js";
import { evaluateQuorum } from "./policy.js";

const COSIGNATURE_LENGTH = 8 + 64; // u64 big-endian timestamp || Ed25519 signature

function cosignedMessage(time, body) {
  return utf8(`cosignature/v1\ntime ${time}\n${body}`);
}

// `note` is a parsed signed note, `checkpoint` its parsed body, `policy` a parsed policy.
// Resolves to {log: {ok, problem}, witnesses: {ok, problem, names, times, quorum}}, where each
// problem is {en, zh} or null.
export async function verifyCheckpoint(cr, policy, note, checkpoint) {
  const log = policy.logs.find((key) => key.name === checkpoint.origin);
  const result = {
    log: { ok: false, problem: null },
    witnesses: { ok: false, problem: null, names: [], times: {}, quorum: null },
  };
  if (!log) {
    result.log.problem = {
      en: `no log in the trust policy for origin ${checkpoint.origin}`,
      zh: `信任策略中没有来源为 ${checkpoint.origin} 的日志`,
    };
  }
  const body = utf8(note.text);
  let logSigned = false;
  let logBad = false;
  const bad = [];
  for (const line of note.signatures) {
    if (log && line.name === log.name && equal(line.keyId, log.keyId)) {
      const ok = line.sig.length === 64 && (await cr.verifyEd25519(log.pub, line.sig, body));
      if (ok) logSigned = true;
      else logBad = true;
      continue;
    }
    const witness = policy.witnesses.find(
      (w) => w.vkey.name === line.name && equal(w.vkey.keyId, line.keyId),
    );
    if (!witness) continue;
    let ok = false;
    let time = null;
    if (line.sig.length === COSIGNATURE_LENGTH) {
      time = new DataView(line.sig.buffer, line.sig.byteOffset, 8).getBigUint64(0).toString();
      const message = cosignedMessage(time, note.text);
      ok = await cr.verifyEd25519(witness.vkey.pub, line.sig.subarray(8), message);
    }
    if (ok) {
      if (!result.witnesses.names.includes(witness.name)) result.witnesses.names.push(witness.name);
      result.witnesses.times[witness.name] = Number(time);
    } else if (!bad.includes(witness.name)) {
      bad.push(witness.name);
    }
  }
  if (log && logBad) {
    result.log.problem = { en: "checkpoint signature invalid", zh: "检查点签名无效" };
  } else if (log && !logSigned) {
    result.log.problem = {
      en: `checkpoint not signed by the log ${log.name}`,
      zh: `检查点没有日志 ${log.name} 的签名`,
    };
  }
  result.log.ok = result.log.problem === null;
  const quorum = evaluateQuorum(policy.quorum, new Set(result.witnesses.names));
  result.witnesses.quorum = quorum;
  if (bad.length) {
    result.witnesses.problem = {
      en: `witness ${bad[0]}: cosignature invalid`,
      zh: `见证人 ${bad[0]}：联署签名无效`,
    };
  } else if (!quorum.ok) {
    result.witnesses.problem = {
      en: `witness quorum not met: ${quorum.have} of ${quorum.need}`,
      zh: `见证人法定数未达到：${quorum.have} / ${quorum.need}`,
    };
  }
  result.witnesses.ok = result.witnesses.problem === null;
  return result;
}
