import type { Reader } from "./reader.js";
import { UnreadableContentError } from "./reader.js";

/** PDF text with unpdf (pdf.js), page by page; unpdf loads on first use. */
export const pdfReader: Reader = {
  id: "pdf",
  mimeTypes: ["application/pdf"],
  extensions: [".pdf"],
  read: async ({ data }) => {
    const { extractText, getDocumentProxy } = await import("unpdf");
    let pages: string[];
    try {
      // pdf.js takes ownership of the buffer it is given: hand it a copy. Verbosity 0: errors only.
      const doc = await getDocumentProxy(new Uint8Array(data), { verbosity: 0 });
      try {
        pages = (await extractText(doc, { mergePages: false })).text;
      } finally {
        await doc.destroy();
      }
    } catch (err) {
      throw new UnreadableContentError(`Could not read the PDF: ${(err as Error).message}`);
    }
    const text = pages
      .map((p) => p.trim())
      .filter(Boolean)
      .join("\n\n");
    if (!text) throw new UnreadableContentError("The PDF has no extractable text (a scanned PDF needs OCR)");
    return { text, format: "text" };
  },
};
