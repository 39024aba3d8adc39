import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HashingEmbedder, IngestionQueue, Knowledge, fuseByRank } from "../../src/knowledge/index.js";
import type { ChunkHit } from "../../src/storage/index.js";
import { pdfBytes } from "../helpers/documents.js";
import { tempSqlite } from "../helpers/temp-store.js";

let db: Awaited<ReturnType<typeof tempSqlite>>;
beforeAll(async () => {
  db = await tempSqlite();
});
afterAll(() => db.cleanup());

/** A small labelled corpus: each document is about one thing. */
const CORPUS: Record<string, string> = {
  cats: "Cats are small felines. A cat purrs when content, naps in the sun and hunts mice at night.",
  dogs: "Dogs are loyal companions. A dog barks at strangers, fetches sticks and needs daily walks.",
  tea: "Green tea is brewed at eighty degrees for two minutes; black tea takes boiling water.",
  rockets: "Rockets carry satellites to orbit. Liquid fuel engines burn kerosene and oxygen.",
  gardens: "Tomatoes grow best in full sun with regular watering and rich compost in the garden bed.",
  sqlite: "SQLite stores a whole database in a single file and supports full-text search with FTS5.",
};

async function corpusKnowledge(id: string, embedder?: HashingEmbedder) {
  const k = new Knowledge({ id, name: id, db: db.db, embedder, chunking: { chunkSize: 64 } });
  for (const [name, text] of Object.entries(CORPUS))
    await k.insert({ text, name, metadata: { topic: name, animal: ["cats", "dogs"].includes(name) } });
  return k;
}

describe("knowledge base", () => {
  it("processes text into chunks and finds it; the same bytes again are the same content, with no new chunks", async () => {
    const k = new Knowledge({ name: "Idempotent", db: db.db });
    const first = await k.insert({ text: "# Title\n\nSome words about zebras." });
    expect(first).toMatchObject({
      status: "completed",
      status_message: "1 chunk",
      chunk_count: 1,
      name: "Title",
    });
    expect(first.content_hash).toMatch(/^[0-9a-f]{64}$/);
    const again = await k.on().add({ text: "# Title\n\nSome words about zebras.", name: "other name" });
    expect(again.record.id).toBe(first.id);
    expect(again.process).toBeUndefined();
    expect(await db.db.knowledge.count(k.id)).toBe(1);
    expect((await k.search("zebras")).results).toHaveLength(1);
    const different = await k.insert({ text: "# Title\n\nSome words about zebras!" });
    expect(different.id).not.toBe(first.id);
    expect(await db.db.knowledge.count(k.id)).toBe(2);
  });

  it("re-processes a keyed source in place when its bytes change", async () => {
    const k = new Knowledge({ name: "Keyed", db: db.db });
    const v1 = await k.insert({ text: "version one mentions apples", key: "notes.md" });
    expect(
      (await k.on().add({ text: "version one mentions apples", key: "notes.md" })).process,
    ).toBeUndefined();
    const v2 = await k.insert({ text: "version two mentions pears", key: "notes.md" });
    expect(v2.id).toBe(v1.id);
    expect(v2.content_hash).not.toBe(v1.content_hash);
    expect((await k.search("apples")).results).toEqual([]);
    expect((await k.search("pears")).results.map((r) => r.content_id)).toEqual([v1.id]);
  });

  it("fails a bad file alone, with a message, and retries it when it is added again", async () => {
    const k = new Knowledge({ name: "Isolation", db: db.db });
    const queue = new IngestionQueue({ concurrency: 2 });
    const base = k.on();
    const bad = await base.add({ data: Buffer.from("%PDF-1.4 garbage"), filename: "broken.pdf" });
    const scanned = await base.add({ data: pdfBytes([]), filename: "scan.pdf" });
    const good = await base.add({ data: pdfBytes(["Quarterly numbers improved"]), filename: "report.pdf" });
    for (const added of [bad, scanned, good]) base.enqueue(added, queue);
    await queue.idle();
    expect(await base.get(bad.record.id)).toMatchObject({
      status: "failed",
      status_message: expect.stringMatching(/Could not read the PDF/),
    });
    expect(await base.get(scanned.record.id)).toMatchObject({
      status: "failed",
      status_message: expect.stringMatching(/no extractable text/),
    });
    expect(await base.get(good.record.id)).toMatchObject({
      status: "completed",
      chunk_count: 1,
      type: "application/pdf",
    });
    const retry = await base.add({ data: Buffer.from("%PDF-1.4 garbage"), filename: "broken.pdf" });
    expect(retry.record).toMatchObject({ id: bad.record.id, status: "pending" });
    expect(retry.process).toBeDefined();
  });

  it("refuses unsupported types up front and stores nothing", async () => {
    const k = new Knowledge({ name: "Refusals", db: db.db });
    await expect(
      k.on().add({ data: Buffer.alloc(8), filename: "photo.png", mimeType: "image/png" }),
    ).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/Unsupported content type 'image\/png'/),
    });
    await expect(k.on().add({ url: "http://127.0.0.1/x" })).rejects.toMatchObject({ status: 400 });
    expect(await db.db.knowledge.count(k.id)).toBe(0);
  });

  it("marks content failed when its processing is stopped", async () => {
    const k = new Knowledge({ name: "Stopped", db: db.db });
    const added = await k.on().add({ text: "words ".repeat(50) });
    const stop = new AbortController();
    stop.abort(new Error("the server shut down"));
    const record = await added.process!(stop.signal);
    expect(record).toMatchObject({
      status: "failed",
      status_message: "Processing stopped: the server shut down",
    });
  });

  it("deletes content with its chunks and vectors", async () => {
    const k = await corpusKnowledge("deletable", new HashingEmbedder());
    const [hit] = (await k.search("purring cats", { type: "vector", limit: 1 })).results;
    expect(hit.name).toBe("cats");
    await k.on().delete(hit.content_id);
    expect(
      (await k.search("purring cats", { type: "vector", limit: 10 })).results.map((r) => r.name),
    ).not.toContain("cats");
    expect((await k.search("purrs", { type: "keyword" })).results).toEqual([]);
    await expect(k.on().delete(hit.content_id)).rejects.toMatchObject({ status: 404 });
  });
});

describe("search ranking on a labelled corpus", () => {
  let k: Knowledge;
  beforeAll(async () => {
    k = await corpusKnowledge("labelled", new HashingEmbedder());
  });
  const top = async (query: string, type: "keyword" | "vector" | "hybrid") =>
    (await k.search(query, { type, limit: 3 })).results.map((r) => r.name);

  it("keyword (BM25, stemmed) puts the document about the query first", async () => {
    expect((await top("barking dog", "keyword"))[0]).toBe("dogs");
    expect((await top("satellites orbit", "keyword"))[0]).toBe("rockets");
    expect((await top("full-text search", "keyword"))[0]).toBe("sqlite");
    expect(await top("xylophone", "keyword")).toEqual([]);
  });

  it("vector (hashing embedder, cosine) puts the nearest document first", async () => {
    expect((await top("a cat that purrs", "vector"))[0]).toBe("cats");
    expect((await top("brewing green tea", "vector"))[0]).toBe("tea");
    expect((await top("watering tomatoes", "vector"))[0]).toBe("gardens");
  });

  it("hybrid fuses both lists by reciprocal rank", async () => {
    expect((await top("kerosene rockets", "hybrid"))[0]).toBe("rockets");
    const res = await k.search("dogs", { type: "hybrid", limit: 2 });
    expect(res.searchType).toBe("hybrid");
    expect(res.results[0].score).toBeCloseTo(2 / 61, 5); // first in both lists
  });

  it("filters on metadata equality (scalars, any-of arrays), in every search type", async () => {
    for (const type of ["keyword", "vector", "hybrid"] as const) {
      const animals = await k.search("sun", { type, filters: { animal: true }, limit: 10 });
      expect(new Set(animals.results.map((r) => r.name))).toEqual(
        new Set(type === "keyword" ? ["cats"] : ["cats", "dogs"]),
      );
    }
    const either = await k.search("water sun", {
      type: "keyword",
      filters: { topic: ["tea", "gardens"] },
      limit: 10,
    });
    expect(either.results.map((r) => r.name).sort()).toEqual(["gardens", "tea"]);
    await expect(k.search("x", { filters: { topic: { nested: 1 } } as never })).rejects.toMatchObject({
      status: 400,
    });
  });

  it("needs an embedder for vector and hybrid search", async () => {
    const plain = await corpusKnowledge("plain");
    expect((await plain.search("cats")).searchType).toBe("keyword");
    await expect(plain.search("cats", { type: "vector" })).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/has no embedder/),
    });
    await expect(plain.search("cats", { type: "hybrid" })).rejects.toMatchObject({ status: 400 });
  });
});

it("reciprocal rank fusion rewards what both lists found", () => {
  const hit = (id: number): ChunkHit => ({
    chunk_id: id,
    content_id: `c${id}`,
    name: `n${id}`,
    content: "",
    chunk_index: 0,
    metadata: null,
    score: 0,
  });
  const fused = fuseByRank(
    [
      [hit(1), hit(2), hit(3)],
      [hit(3), hit(4), hit(2)],
    ],
    3,
  );
  expect(fused.map((h) => h.chunk_id)).toEqual([3, 2, 1]);
  expect(fused[0].score).toBeCloseTo(1 / 63 + 1 / 61, 10);
});
