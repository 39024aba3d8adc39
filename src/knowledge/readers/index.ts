import { csvReader } from "./csv.js";
import { docxReader } from "./docx.js";
import { htmlReader } from "./html.js";
import { jsonReader } from "./json.js";
import { pdfReader } from "./pdf.js";
import type { Reader } from "./reader.js";
import { markdownReader, textReader } from "./text.js";

export type { Reader, ReadDocument, ReadInput } from "./reader.js";
export { UnreadableContentError, decodeText } from "./reader.js";
export { htmlToText, htmlTitle, decodeEntities } from "./html-to-text.js";
export { csvToText, parseCsv } from "./csv.js";
export { jsonToText } from "./json.js";

export const READERS: readonly Reader[] = [
  textReader,
  markdownReader,
  pdfReader,
  docxReader,
  csvReader,
  jsonReader,
  htmlReader,
];

/** Types that say nothing about the content: the file name's extension decides. */
const GENERIC = new Set([
  "",
  "application/octet-stream",
  "binary/octet-stream",
  "text/plain",
  "application/x-www-form-urlencoded",
]);

/** "Text/HTML; charset=UTF-8" -> { mime: "text/html", charset: "UTF-8" }. */
export function parseContentType(value: string | undefined | null): { mime: string; charset?: string } {
  const [type, ...params] = (value ?? "").split(";");
  const charset = params
    .map((p) => /^\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(p)?.[1])
    .find((c) => c !== undefined);
  return { mime: type.trim().toLowerCase(), ...(charset ? { charset } : {}) };
}

/** The reader for a MIME type, or by the file name's extension when the type is generic or unknown. */
export function readerFor(mimeType: string | undefined, filename: string | undefined): Reader | undefined {
  const { mime } = parseContentType(mimeType);
  const ext = /\.[a-z0-9]+$/i.exec(filename ?? "")?.[0].toLowerCase();
  const byExt = ext ? READERS.find((r) => r.extensions.includes(ext)) : undefined;
  if (GENERIC.has(mime)) return byExt ?? (mime === "text/plain" ? textReader : undefined);
  return READERS.find((r) => r.mimeTypes.includes(mime)) ?? byExt;
}

/** What the readers accept, for error messages and docs. */
export function supportedTypes(): string {
  return READERS.flatMap((r) => r.extensions).join(", ");
}
