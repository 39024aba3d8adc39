import type { Reader } from "./reader.js";
import { UnreadableContentError, decodeText } from "./reader.js";

const MAX_DEPTH = 20;

/** "a.b.c: value" lines for every leaf; arrays of scalars on one line. */
function flatten(value: unknown, path: string, out: string[], depth: number): void {
  if (depth > MAX_DEPTH) {
    out.push(`${path}: ${JSON.stringify(value)}`);
    return;
  }
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== "object")) {
      out.push(`${path || "value"}: ${value.map(scalar).join(", ")}`);
      return;
    }
    value.forEach((v, i) => flatten(v, `${path}[${i}]`, out, depth + 1));
    return;
  }
  if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) flatten(v, path ? `${path}.${k}` : k, out, depth + 1);
    return;
  }
  out.push(path ? `${path}: ${scalar(value)}` : scalar(value));
}

function scalar(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** A JSON document as text: each element of a top-level array is a paragraph of flattened lines. */
export function jsonToText(value: unknown): string {
  const items =
    Array.isArray(value) && value.some((v) => v !== null && typeof v === "object") ? value : [value];
  return items
    .map((item) => {
      const lines: string[] = [];
      flatten(item, "", lines, 0);
      return lines.join("\n");
    })
    .filter(Boolean)
    .join("\n\n");
}

function parse(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UnreadableContentError(`Invalid JSON${where}: ${(err as Error).message}`);
  }
}

export const jsonReader: Reader = {
  id: "json",
  mimeTypes: [
    "application/json",
    "text/json",
    "application/ld+json",
    "application/x-ndjson",
    "application/jsonl",
  ],
  extensions: [".json", ".jsonl", ".ndjson"],
  read: async ({ data, charset, filename }) => {
    const text = decodeText(data, charset).replace(/^\uFEFF/, "");
    const lines = /\.(jsonl|ndjson)$/i.test(filename ?? "");
    const value = lines
      ? text
          .split(/\r?\n/)
          .map((line, i) => (line.trim() ? parse(line, ` on line ${i + 1}`) : undefined))
          .filter((v) => v !== undefined)
      : parse(text, "");
    return { text: jsonToText(value), format: "text" };
  },
};
