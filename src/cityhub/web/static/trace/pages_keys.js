// The key page (/trace/keys/new): make an Ed25519 key pair here in the browser, offer the private
// key as a download, and register the public key with a statement signed by the new key.
// The private key never leaves this page: only the signed statement (public key, actor, time) is
// posted. The form #key-form carries data-actor-field, data-endpoint and the CSRF token; the
// outcome goes to #key-status (data-state: idle|working|registered|failed).

import { concat, toBase64, toHex, utf8 } from "./bytes.js";
import { canonicalize } from "./jcs.js";
import { KEY_PAYLOAD_TYPE, pae } from "./leaf.js";

const ED25519 = { name: "Ed25519" };
const form = document.getElementById("key-form");
const status = document.getElementById("key-status");
const labels = JSON.parse(document.getElementById("key-labels").textContent);

function show(state, text) {
  status.dataset.state = state;
  status.textContent = text;
}

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

// C2SP signed-note key ID: SHA-256(name || "\n" || 0x01 || pub)[:4].
async function keyId(name, pub) {
  return (await sha256(concat(utf8(name + "\n"), new Uint8Array([1]), pub))).subarray(0, 4);
}

// The key name: the actor's ref with what a note key name may not hold ("+", spaces) replaced.
function keyName(ref) {
  return ref.replace(/[+\s]/g, "_");
}

async function generate(name) {
  const pair = await crypto.subtle.generateKey(ED25519, true, ["sign", "verify"]);
  const pub = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  // A PKCS#8 Ed25519 key ends with the 32-byte seed (RFC 8410 §7), which is what skeys hold.
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
  const seed = pkcs8.subarray(pkcs8.length - 32);
  const id = toHex(await keyId(name, pub));
  const typed = (bytes) => toBase64(concat(new Uint8Array([1]), bytes));
  return {
    privateKey: pair.privateKey,
    id,
    vkey: `${name}+${id}+${typed(pub)}`,
    skey: `PRIVATE+KEY+${name}+${id}+${typed(seed)}`,
  };
}

async function statement(key, actor) {
  const body = {
    action: "register",
    actor,
    vkey: key.vkey,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
  };
  const payload = utf8(canonicalize(body));
  const sig = new Uint8Array(await crypto.subtle.sign(ED25519, key.privateKey, pae(KEY_PAYLOAD_TYPE, payload)));
  return {
    payload: toBase64(payload),
    payloadType: KEY_PAYLOAD_TYPE,
    signatures: [{ keyid: key.id, sig: toBase64(sig) }],
  };
}

function offerDownload(key) {
  const link = document.getElementById("key-download");
  const blob = new Blob([key.skey + "\n"], { type: "text/plain" });
  link.href = URL.createObjectURL(blob);
  link.download = `${key.vkey.split("+")[0]}-${key.id}.skey`;
  link.hidden = false;
}

async function register(event) {
  event.preventDefault();
  const actor = form.elements.namedItem("actor").value.trim();
  if (!actor) return;
  show("working", labels.working);
  form.querySelector("button[type=submit]").disabled = true;
  try {
    const key = await generate(keyName(actor));
    document.getElementById("key-vkey").textContent = key.vkey;
    document.getElementById("key-id").textContent = key.id;
    offerDownload(key);
    const response = await fetch(form.dataset.endpoint, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRF-Token": form.elements.namedItem("csrf_token").value,
      },
      body: JSON.stringify({ envelope: await statement(key, actor) }),
    });
    const answer = await response.json();
    if (!response.ok) {
      show("failed", `${labels.failed} ${answer.error ? answer.error.message : response.status}`);
      return;
    }
    status.dataset.logIndex = String(answer.registered_index);
    show("registered", `${labels.registered} ${answer.registered_index}`);
  } catch (error) {
    show("failed", `${labels.failed} ${error.message}`);
  } finally {
    form.querySelector("button[type=submit]").disabled = false;
  }
}

if (!globalThis.crypto || !crypto.subtle) {
  show("failed", labels.unsupported);
} else {
  form.addEventListener("submit", register);
}
