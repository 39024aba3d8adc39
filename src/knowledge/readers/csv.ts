import type { Reader } from "./reader.js";
import { UnreadableContentError, decodeText } from "./reader.js";

/** Parses CSV (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes, CRLF). */
export function parseCsv(text: string, delimiter = ","): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"' && field === "") quoted = true;
    else if (ch === delimiter) {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += ch;
  }
  if (quoted) throw new UnreadableContentError("The CSV has an unclosed quoted field");
  if (field !== "" || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((f) => f.trim() !== ""));
}

/** The delimiter the header line uses most (outside quotes): comma, semicolon, tab or pipe. */
export function sniffDelimiter(text: string): string {
  const header = (text.split(/\r?\n/, 1)[0] ?? "").replace(/"[^"]*"/g, "");
  let best = ",";
  let most = 0;
  for (const d of [",", ";", "\t", "|"]) {
    const n = header.split(d).length - 1;
    if (n > most) [best, most] = [d, n];
  }
  return best;
}

/** Each row becomes a paragraph of "column: value" lines, so a chunk holds whole rows. */
export function csvToText(text: string, delimiter = sniffDelimiter(text)): string {
  const [header, ...rows] = parseCsv(text, delimiter);
  if (!header) return "";
  const names = header.map((h, i) => h.trim() || `column ${i + 1}`);
  if (rows.length === 0) return names.join(", ");
  return rows
    .map((r) =>
      r
        .map((value, i) => (value.trim() ? `${names[i] ?? `column ${i + 1}`}: ${value.trim()}` : ""))
        .filter(Boolean)
        .join("\n"),
    )
    .filter(Boolean)
    .join("\n\n");
}

export const csvReader: Reader = {
  id: "csv",
  mimeTypes: ["text/csv", "application/csv", "text/tab-separated-values"],
  extensions: [".csv", ".tsv"],
  read: async ({ data, charset, filename }) => {
    const text = decodeText(data, charset);
    const delimiter = filename?.toLowerCase().endsWith(".tsv") ? "\t" : sniffDelimiter(text);
    return { text: csvToText(text, delimiter), format: "text" };
  },
};
