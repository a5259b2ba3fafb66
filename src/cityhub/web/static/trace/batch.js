// The consumer page of a batch: fetch its evidence document, verify it here in the browser, and
// show the verdict. The page provides <body data-evidence-url>, #trace-verdict,
// #trace-timeline (one <li data-log-index=N> per event) and #trace-checkpoint; the optional
// #trace-checks gets one <li> per check. Green only when the verification ran and passed.
// #trace-verdict carries data-state (running|ok|fail|unavailable|error), data-crypto and
// data-verify-ms, so tests and curious readers can see what happened.

import { CryptoUnavailable, verifyEvidence } from "./verify.js";

const ZH = (document.documentElement.lang || "").toLowerCase().startsWith("zh");
const TEXT = ZH
  ? {
      running: "正在验证…",
      ok: "已验证",
      fail: "验证失败：",
      unavailable: "无法在此浏览器验证",
      error: "无法获取证据：",
      notInEvidence: "证据中没有此事件",
      size: "日志大小",
      root: "根哈希",
      witnesses: "见证人",
      origin: "日志",
      none: "无",
    }
  : {
      running: "Verifying…",
      ok: "Verified",
      fail: "Verification failed: ",
      unavailable: "Cannot verify in this browser",
      error: "Could not load the evidence: ",
      notInEvidence: "not in the evidence",
      size: "Log size",
      root: "Root hash",
      witnesses: "Witnesses",
      origin: "Log",
      none: "none",
    };

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function verdict(state, text) {
  const node = document.getElementById("trace-verdict");
  if (!node) return null;
  node.dataset.state = state;
  node.textContent = text;
  return node;
}

function markTimeline(report) {
  const known = report.events.filter((e) => e.index !== null);
  const byIndex = new Map(known.map((e) => [String(e.index), e]));
  for (const item of document.querySelectorAll("#trace-timeline li[data-log-index]")) {
    item.querySelectorAll(".trace-mark, .trace-failure").forEach((old) => old.remove());
    const event = byIndex.get(item.dataset.logIndex);
    const ok = Boolean(event && event.ok);
    item.dataset.verified = ok ? "ok" : "fail";
    item.prepend(element("span", "trace-mark", ok ? "✓" : "✗"));
    if (!ok) {
      const why = event ? (ZH ? event.failures_zh : event.failures).join("; ") : TEXT.notInEvidence;
      item.append(element("span", "trace-failure", why));
    }
  }
}

function showCheckpoint(report) {
  const node = document.getElementById("trace-checkpoint");
  if (!node || !report.checkpoint) return;
  const cp = report.checkpoint;
  const list = element("dl", "trace-checkpoint-facts");
  const rows = [
    [TEXT.origin, cp.origin],
    [TEXT.size, String(cp.size)],
    [TEXT.root, cp.root],
    [TEXT.witnesses, cp.witnesses.length ? cp.witnesses.join(", ") : TEXT.none],
  ];
  for (const [label, value] of rows) {
    list.append(element("dt", "", label), element("dd", "", value));
  }
  node.dataset.quorum = cp.quorum_ok ? "ok" : "fail";
  node.replaceChildren(list);
}

function showChecks(report) {
  const node = document.getElementById("trace-checks");
  if (!node) return;
  node.replaceChildren(
    ...report.checks.map((check) => {
      const label = ZH ? check.label_zh : check.label_en;
      const item = element("li", "", `${check.ok ? "✓" : "✗"} ${label}`);
      item.dataset.check = check.id;
      item.dataset.verified = check.ok ? "ok" : "fail";
      item.title = ZH ? check.detail_zh : check.detail;
      return item;
    }),
  );
}

async function run() {
  verdict("running", TEXT.running);
  let doc;
  try {
    const response = await fetch(document.body.dataset.evidenceUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    doc = await response.json();
  } catch (error) {
    verdict("error", TEXT.error + error.message);
    return null;
  }
  let report;
  try {
    report = await verifyEvidence(doc);
  } catch (error) {
    if (error instanceof CryptoUnavailable) verdict("unavailable", TEXT.unavailable);
    else verdict("error", TEXT.fail + error.message);
    return null;
  }
  const node = report.ok
    ? verdict("ok", TEXT.ok)
    : verdict("fail", TEXT.fail + (ZH ? report.failure_zh : report.failure));
  if (node) {
    node.dataset.verifyMs = String(report.timings.total_ms);
    node.dataset.crypto = report.crypto;
  }
  markTimeline(report);
  showCheckpoint(report);
  showChecks(report);
  return report;
}

run();
