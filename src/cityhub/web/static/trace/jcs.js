// RFC 8785 JSON Canonicalization Scheme, for the values JSON.parse produces.
// JCS is defined in terms of ECMAScript: strings are escaped as JSON.stringify does (RFC 8785
// §3.2.2.2), numbers are written as Number.prototype.toString writes them (§3.2.2.3), and object
// members are sorted by their names' UTF-16 code units (§3.2.3), which is what Array.sort
// does with no comparator.

import { FormatError, isWellFormed } from "./bytes.js";

function string(value) {
  // I-JSON (RFC 7493), which JCS requires, forbids unpaired surrogates.
  if (!isWellFormed(value)) throw new FormatError("JCS: string with a lone surrogate");
  return JSON.stringify(value);
}

function number(value) {
  if (!Number.isFinite(value)) throw new FormatError("JCS: NaN or Infinity");
  return JSON.stringify(value); // -0 becomes "0", as §3.2.2.3 requires
}

export function canonicalize(value) {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "number":
      return number(value);
    case "string":
      return string(value);
    case "object":
      if (Array.isArray(value)) return `[${value.map(canonicalize).join(",")}]`;
      return `{${Object.keys(value)
        .sort()
        .map((key) => `${string(key)}:${canonicalize(value[key])}`)
        .join(",")}}`;
    default:
      throw new FormatError(`JCS: cannot serialise a ${typeof value}`);
  }
}
