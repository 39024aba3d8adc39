import { htmlToText } from "./html-to-text.js";
import type { Reader } from "./reader.js";
import { UnreadableContentError } from "./reader.js";

/** Word documents: mammoth turns them into HTML, which keeps headings and lists for chunking. */
export const docxReader: Reader = {
  id: "docx",
  mimeTypes: ["application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
  extensions: [".docx"],
  read: async ({ data }) => {
    const mammoth = (await import("mammoth")).default;
    let html: string;
    try {
      html = (
        await mammoth.convertToHtml({ buffer: Buffer.from(data.buffer, data.byteOffset, data.byteLength) })
      ).value;
    } catch (err) {
      throw new UnreadableContentError(`Could not read the DOCX: ${(err as Error).message}`);
    }
    return { text: htmlToText(html), format: "markdown" };
  },
};
