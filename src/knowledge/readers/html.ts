import { htmlTitle, htmlToText } from "./html-to-text.js";
import type { Reader } from "./reader.js";
import { decodeText } from "./reader.js";

export const htmlReader: Reader = {
  id: "html",
  mimeTypes: ["text/html", "application/xhtml+xml"],
  extensions: [".html", ".htm", ".xhtml"],
  read: async ({ data, charset }) => {
    const html = decodeText(data, charset ?? metaCharset(data));
    const title = htmlTitle(html);
    return { text: htmlToText(html), format: "markdown", ...(title ? { title } : {}) };
  },
};

/** A `<meta charset>` in the first kilobyte, as browsers look for it. */
function metaCharset(data: Uint8Array): string | undefined {
  const head = Buffer.from(data.subarray(0, 1024)).toString("latin1");
  return /<meta[^>]+charset\s*=\s*["']?([\w-]+)/i.exec(head)?.[1];
}
