// C2SP tlog-policy: parse the trust policy and evaluate its witness quorum.
// Lines: `log <vkey> [url]`, `witness <name> <vkey> [url]`, `group <name> <k|all|any> <names…>`,
// `quorum <name|none>`; groups only name things defined above them, so there are no cycles.

import { equal, FormatError } from "./bytes.js";
import { parseVKey, SIG_COSIGNATURE, SIG_ED25519 } from "./note.js";

const NONE = "none";

function tokens(line) {
  // Whitespace is ASCII space and tab only (§Structure), not JS's Unicode \s.
  const trimmed = line.replace(/^[ \t]+|[ \t]+$/g, "");
  return trimmed === "" ? [] : trimmed.split(/[ \t]+/);
}

function threshold(word, n, where) {
  if (word === "all") return n;
  if (word === "any") return 1;
  if (!/^[1-9][0-9]*$/.test(word) || Number(word) > n) {
    throw new FormatError(`${where}: threshold must be all, any or 1..${n}`);
  }
  return Number(word);
}

// Resolves to {logs: [vkey], witnesses: [{name, vkey}], quorum: node}, where a node is
// {kind: "none"} | {kind: "witness", name, vkey} | {kind: "group", name, k, members: [node]}.
export async function parsePolicy(sha256, text) {
  if (typeof text !== "string") throw new FormatError("policy is not text");
  // Allowed octets: tab, newline, 0x20-0x7E and anything non-ASCII (§Character set).
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text)) {
    throw new FormatError("policy contains a control character");
  }
  const logs = [];
  const witnesses = [];
  const names = new Map([[NONE, { kind: "none" }]]);
  const usedAsMember = new Set();
  let quorum = null;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const where = `policy line ${i + 1}`;
    const words = tokens(lines[i]);
    if (words.length === 0 || words[0].startsWith("#")) continue;
    const [keyword, ...args] = words;
    const define = (name, node) => {
      if (names.has(name)) throw new FormatError(`${where}: name "${name}" already defined`);
      names.set(name, node);
    };
    if (keyword === "log") {
      if (args.length < 1 || args.length > 2) throw new FormatError(`${where}: log <vkey> [url]`);
      const vkey = await parseVKey(sha256, args[0], `${where} log key`);
      if (vkey.type !== SIG_ED25519) throw new FormatError(`${where}: log key is not Ed25519`);
      if (logs.some((other) => equal(other.pub, vkey.pub))) {
        throw new FormatError(`${where}: duplicate log key`);
      }
      logs.push(vkey);
    } else if (keyword === "witness") {
      if (args.length < 2 || args.length > 3) {
        throw new FormatError(`${where}: witness <name> <vkey> [url]`);
      }
      const vkey = await parseVKey(sha256, args[1], `${where} witness key`);
      if (vkey.type !== SIG_COSIGNATURE) {
        throw new FormatError(`${where}: witness key is not a cosignature (0x04) key`);
      }
      if (witnesses.some((other) => equal(other.vkey.pub, vkey.pub))) {
        throw new FormatError(`${where}: duplicate witness key`);
      }
      const witness = { name: args[0], vkey };
      define(args[0], { kind: "witness", name: args[0], vkey });
      witnesses.push(witness);
    } else if (keyword === "group") {
      if (args.length < 3) throw new FormatError(`${where}: group <name> <k|all|any> <names…>`);
      const [name, k, ...memberNames] = args;
      const members = memberNames.map((member) => {
        if (member === NONE || !names.has(member)) {
          throw new FormatError(`${where}: "${member}" is not a witness or group defined above`);
        }
        // Each name is a group member at most once, so a witness counts in one way only.
        if (usedAsMember.has(member)) {
          throw new FormatError(`${where}: "${member}" is already a group member`);
        }
        usedAsMember.add(member);
        return names.get(member);
      });
      define(name, { kind: "group", name, k: threshold(k, members.length, where), members });
    } else if (keyword === "quorum") {
      if (args.length !== 1) throw new FormatError(`${where}: quorum <name>`);
      if (quorum) throw new FormatError(`${where}: a second quorum line`);
      if (!names.has(args[0])) throw new FormatError(`${where}: quorum "${args[0]}" undefined`);
      quorum = names.get(args[0]);
    } else {
      throw new FormatError(`${where}: unknown keyword "${keyword}"`);
    }
  }
  if (!quorum) throw new FormatError("policy has no quorum line");
  return { logs, witnesses, quorum };
}

// Whether the witnesses named in `cosigned` (a Set of policy names) satisfy `node`; `have` and
// `need` count the node's own members, for messages like "1 of 2".
export function evaluateQuorum(node, cosigned) {
  if (node.kind === "none") return { ok: true, have: 0, need: 0 };
  if (node.kind === "witness") {
    const have = cosigned.has(node.name) ? 1 : 0;
    return { ok: have === 1, have, need: 1 };
  }
  const have = node.members.filter((member) => evaluateQuorum(member, cosigned).ok).length;
  return { ok: have >= node.k, have, need: node.k };
}
