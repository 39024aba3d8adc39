import { beforeAll, describe, expect, it } from "vitest";
import { chunkText, loadTokenizer, resolveChunking } from "../../src/knowledge/index.js";
import type { Tokenizer } from "../../src/knowledge/index.js";

let tok: Tokenizer;
beforeAll(async () => {
  tok = await loadTokenizer("cl100k_base");
});

const words = (n: number, word = "alpha") => Array.from({ length: n }, (_, i) => `${word}${i}`).join(" ");

describe("recursive, Markdown-aware chunking", () => {
  it("keeps a short text whole and counts its tokens with tiktoken", async () => {
    const chunks = await chunkText("Hello, world!", "markdown", { chunkSize: 50 });
    expect(chunks).toEqual([{ index: 0, content: "Hello, world!", tokenCount: tok.count("Hello, world!") }]);
    expect(chunks[0].tokenCount).toBe(4);
  });

  it("starts chunks at headings, packs small sections together, never exceeds the size", async () => {
    const md = [
      "# Cats",
      `Cats purr. ${words(30, "cat")}`,
      "## Kittens",
      "Kittens are small.",
      "# Dogs",
      `Dogs bark. ${words(60, "dog")}`,
      "# Birds",
      "Birds sing.",
    ].join("\n\n");
    const chunks = await chunkText(md, "markdown", { chunkSize: 100 });
    for (const c of chunks) expect(tok.count(c.content)).toBeLessThanOrEqual(100);
    // Each top-level section starts a chunk; the big "Dogs" section is split, and "Birds" is not packed after it.
    expect(chunks.map((c) => c.content.slice(0, 6))).toEqual(["# Cats", "# Dogs", "dog46 ", "# Bird"]);
    expect(chunks[0].content).toContain("## Kittens"); // a small subsection stays with its parent
    expect(chunks[1].content.startsWith("# Dogs\n\nDogs bark. dog0")).toBe(true); // the heading leads its text
    expect(chunks[1].tokenCount).toBeGreaterThan(90); // parts are packed close to the size
    expect(chunks.map((c) => c.index)).toEqual([0, 1, 2, 3]);
    expect(chunks[1].tokenCount).toBe(tok.count(chunks[1].content));
  });

  it("does not take '#' lines inside fenced code for headings", async () => {
    const md = `# Setup\n\n\`\`\`sh\n# install the tools\nnpm install\n# run them\nnpm start\n\`\`\`\n\n${words(40)}`;
    const chunks = await chunkText(md, "markdown", { chunkSize: 60 });
    expect(
      chunks[0].content.startsWith("# Setup\n\n```sh\n# install the tools\nnpm install\n# run them"),
    ).toBe(true);
    expect(chunks.some((c) => c.content.startsWith("# run them"))).toBe(false);
  });

  it("falls back from paragraphs to lines, sentences and words, and hard-cuts a word longer than a chunk", async () => {
    const long = `${"One sentence here. ".repeat(40)}\n\n${"x".repeat(2000)}`;
    const chunks = await chunkText(long, "text", { chunkSize: 50 });
    for (const c of chunks) expect(tok.count(c.content)).toBeLessThanOrEqual(50);
    expect(chunks[0].content.endsWith("One sentence here.")).toBe(true); // cut between sentences
    expect(
      chunks
        .map((c) => c.content)
        .join("")
        .replace(/\s/g, ""),
    ).toBe(long.replace(/\s/g, ""));
  });

  it("shares up to `overlap` tokens of whole parts between consecutive chunks", async () => {
    const text = Array.from({ length: 12 }, (_, i) => `Sentence number ${i} is here.`).join(" ");
    const chunks = await chunkText(text, "text", { chunkSize: 30, overlap: 10 });
    expect(chunks.length).toBeGreaterThan(2);
    for (let i = 1; i < chunks.length; i++) {
      const lastSentence = chunks[i - 1].content.split(/(?<=\.)\s/).pop()!;
      expect(chunks[i].content.startsWith(lastSentence)).toBe(true);
    }
  });
});

describe("fixed-size chunking", () => {
  it("cuts windows of exactly `chunkSize` tokens, each overlapping the previous by `overlap`", async () => {
    const text = words(200);
    const chunks = await chunkText(text, "text", { strategy: "fixed", chunkSize: 40, overlap: 8 });
    const ids = tok.encode(text);
    expect(chunks.length).toBe(Math.ceil((ids.length - 8) / 32));
    chunks.forEach((c, i) => {
      expect(c.content).toBe(tok.decode(ids.slice(i * 32, i * 32 + 40)));
      if (i < chunks.length - 1) expect(c.tokenCount).toBe(40);
    });
    expect(chunks[chunks.length - 1].content.endsWith("alpha199")).toBe(true);
  });

  it("moves window edges to character boundaries, so multi-byte text is never broken", async () => {
    const text = "日本語のテキストです。絵文字も👍🏽含みます。".repeat(20);
    const chunks = await chunkText(text, "text", { strategy: "fixed", chunkSize: 7, overlap: 0 });
    for (const c of chunks) expect(c.content).not.toContain("\uFFFD");
    expect(chunks.map((c) => c.content).join("")).toBe(text);
  });

  it("treats special-token text as ordinary text", async () => {
    const chunks = await chunkText("before <|endoftext|> after", "text", {
      strategy: "fixed",
      chunkSize: 100,
    });
    expect(chunks[0].content).toBe("before <|endoftext|> after");
  });
});

it("refuses impossible settings", () => {
  expect(() => resolveChunking({ chunkSize: 0 })).toThrow(/chunkSize/);
  expect(() => resolveChunking({ chunkSize: 10, overlap: 10 })).toThrow(/overlap/);
  expect(() => resolveChunking({ strategy: "magic" as never })).toThrow(/strategy/);
  expect(resolveChunking({ strategy: "fixed" })).toEqual({
    strategy: "fixed",
    chunkSize: 512,
    overlap: 64,
    encoding: "cl100k_base",
  });
});
