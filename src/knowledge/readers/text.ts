import type { Reader } from "./reader.js";
import { decodeText } from "./reader.js";

export const textReader: Reader = {
  id: "text",
  mimeTypes: ["text/plain"],
  extensions: [".txt", ".text", ".log"],
  read: async ({ data, charset }) => ({ text: decodeText(data, charset), format: "text" }),
};

export const markdownReader: Reader = {
  id: "markdown",
  mimeTypes: ["text/markdown", "text/x-markdown"],
  extensions: [".md", ".markdown", ".mdx"],
  read: async ({ data, charset }) => {
    const text = decodeText(data, charset);
    const title = /^ {0,3}# +(.+?)\s*#*\s*$/m.exec(text)?.[1];
    return { text, format: "markdown", ...(title ? { title } : {}) };
  },
};
