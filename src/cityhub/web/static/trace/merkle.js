// RFC 9162 Merkle tree hashing and inclusion-proof verification (§2.1.1, §2.1.3.2).
// `sha256` is the async hash of crypto.js, so the same code runs on WebCrypto and on noble.

import { concat, equal } from "./bytes.js";

const LEAF = Uint8Array.of(0x00);
const NODE = Uint8Array.of(0x01);

export function leafHash(sha256, bytes) {
  return sha256(concat(LEAF, bytes));
}

export function nodeHash(sha256, left, right) {
  return sha256(concat(NODE, left, right));
}

// Recomputes the root from a leaf hash and its audit path, following RFC 9162 §2.1.3.2 step by
// step; returns null where the algorithm says "fail". Indices stay below 2^53, so plain numbers
// and Math.floor halving replace the 64-bit shifts exactly.
export async function rootFromInclusionProof(sha256, index, size, leaf, proof) {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0) return null;
  if (index >= size) return null; // step 1
  if (leaf.length !== 32 || proof.some((p) => p.length !== 32)) return null;
  let fn = index; // step 2
  let sn = size - 1;
  let r = leaf; // step 3
  for (const p of proof) {
    // step 4
    if (sn === 0) return null; // 4.a
    if (fn % 2 === 1 || fn === sn) {
      // 4.b
      r = await nodeHash(sha256, p, r); // 4.b.i
      if (fn % 2 === 0) {
        // 4.b.ii: skip the levels where this node has no right sibling
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await nodeHash(sha256, r, p); // 4.b (otherwise)
    }
    fn = Math.floor(fn / 2); // 4.c
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null; // step 5 (first half)
}

export async function verifyInclusion(sha256, index, size, leaf, proof, root) {
  const computed = await rootFromInclusionProof(sha256, index, size, leaf, proof);
  return computed !== null && root.length === 32 && equal(computed, root); // step 5
}
