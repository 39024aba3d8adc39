import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { HashingEmbedder, Knowledge } from "../../src/knowledge/index.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * The demo's knowledge base: the project's README and docs/*.md, loaded in the background when
 * the OS starts (unchanged files are skipped on restart). The hashing embedder works offline,
 * so vector and hybrid search can be tried; BM25 keyword search ranks these docs best, so it is
 * what the assistant uses.
 */
export function docsKnowledge(root = ROOT): Knowledge {
  return new Knowledge({
    id: "docs",
    name: "AgentOS docs",
    description: "The AgentOS README and docs: agents, the HTTP API, runs, storage, knowledge and memory",
    embedder: new HashingEmbedder(),
    searchType: "keyword",
    preload: async () => {
      const docs = (await readdir(join(root, "docs"))).filter((f) => f.endsWith(".md")).sort();
      return [join(root, "README.md"), ...docs.map((f) => join(root, "docs", f))].map((path) => ({
        path,
        name: relative(root, path),
      }));
    },
  });
}
