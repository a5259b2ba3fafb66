// SHA-256 and Ed25519 verification: WebCrypto when the browser has it, else vendored noble.
// crypto.subtle exists only in secure contexts, so a phone opening the page over plain http has
// none; and some browsers lack Ed25519 in WebCrypto. Both cases load the audited pure-JS
// @noble/ed25519 + @noble/hashes from /static/vendor/noble (see its README).

import { fromHex } from "./bytes.js";

export class CryptoUnavailable extends Error {}

// RFC 8032 §7.1 TEST 1 (empty message): proves the browser really verifies Ed25519 before we
// trust its answers, rather than only exposing the algorithm name.
const PROBE_PUB = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
const PROBE_SIG =
  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155" +
  "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

const NOBLE_ED25519 = new URL("../vendor/noble/ed25519/index.js", import.meta.url).href;
const NOBLE_SHA2 = new URL("../vendor/noble/hashes/sha2.js", import.meta.url).href;

function webCrypto() {
  const subtle = globalThis.crypto && globalThis.crypto.subtle;
  if (!subtle) return null;
  const keys = new Map();
  const importKey = (pub) => {
    const id = pub.join(",");
    if (!keys.has(id)) {
      keys.set(id, subtle.importKey("raw", pub, { name: "Ed25519" }, false, ["verify"]));
    }
    return keys.get(id);
  };
  return {
    name: "webcrypto",
    sha256: async (bytes) => new Uint8Array(await subtle.digest("SHA-256", bytes)),
    verifyEd25519: async (pub, sig, msg) => {
      if (pub.length !== 32 || sig.length !== 64) return false;
      try {
        return await subtle.verify({ name: "Ed25519" }, await importKey(pub), sig, msg);
      } catch {
        return false; // a key WebCrypto refuses to import verifies nothing
      }
    },
  };
}

async function nobleCrypto() {
  let ed, sha2;
  try {
    [ed, sha2] = await Promise.all([import(NOBLE_ED25519), import(NOBLE_SHA2)]);
  } catch (error) {
    throw new CryptoUnavailable(`fallback crypto could not be loaded: ${error.message}`);
  }
  ed.hashes.sha512 = sha2.sha512;
  return {
    name: "noble",
    sha256: async (bytes) => sha2.sha256(bytes),
    verifyEd25519: async (pub, sig, msg) => {
      if (pub.length !== 32 || sig.length !== 64) return false;
      try {
        // zip215:false is RFC 8032 / FIPS 186-5 verification, not the consensus-friendly default.
        return ed.verify(sig, msg, pub, { zip215: false });
      } catch {
        return false; // noble throws on points that do not decode
      }
    },
  };
}

async function works(impl) {
  try {
    const ok = await impl.verifyEd25519(fromHex(PROBE_PUB), fromHex(PROBE_SIG), new Uint8Array());
    const bad = fromHex(PROBE_SIG);
    bad[0] ^= 1;
    const rejects = !(await impl.verifyEd25519(fromHex(PROBE_PUB), bad, new Uint8Array()));
    return ok && rejects;
  } catch {
    return false;
  }
}

let cached = null;

// Resolves to {name: "webcrypto"|"noble", sha256(bytes), verifyEd25519(pub, sig, msg)};
// rejects with CryptoUnavailable when neither path works.
export async function loadCrypto({ forceFallback = false } = {}) {
  if (!forceFallback && cached) return cached;
  if (!forceFallback) {
    const native = webCrypto();
    if (native && (await works(native))) {
      cached = native;
      return native;
    }
  }
  const fallback = await nobleCrypto();
  if (!(await works(fallback))) throw new CryptoUnavailable("fallback crypto failed its self-test");
  if (!forceFallback) cached = fallback;
  return fallback;
}
