import { expect, it } from "vitest";
import { newId } from "../../src/ids.js";
import type { ContentRecord, Store } from "../../src/storage/index.js";

export function contentOf(over: Partial<ContentRecord> & { knowledge_id: string }): ContentRecord {
  const now = Date.now();
  return {
    id: newId(),
    name: "doc",
    description: null,
    type: "text/plain",
    size: 10,
    source: null,
    content_hash: "h",
    metadata: null,
    status: "pending",
    status_message: null,
    chunk_count: 0,
    vector_dims: null,
    created_at: now,
    updated_at: now,
    ...over,
  };
}

const unit = (...v: number[]) => {
  const n = Math.hypot(...v);
  return new Float32Array(v.map((x) => x / n));
};

/** The KnowledgeStore part of the Store contract; `store` is read when the tests run. */
export function knowledgeStoreContract(store: () => Store) {
  it("knowledge: adds content once per id, lists it newest first with a total, counts by status", async () => {
    const kb = `kb-${newId()}`;
    const first = contentOf({ knowledge_id: kb, name: "one", metadata: { lang: "en" } });
    expect(await store().knowledge.add(first)).toEqual({ record: first, created: true });
    const again = await store().knowledge.add({ ...first, name: "renamed" });
    expect(again.created).toBe(false);
    expect(again.record.name).toBe("one");
    for (let i = 0; i < 4; i++)
      await store().knowledge.add(
        contentOf({ knowledge_id: kb, name: `n${i}`, created_at: Date.now() + i + 1 }),
      );
    const page1 = await store().knowledge.list({ knowledgeId: kb, limit: 2, page: 1 });
    expect(page1.total).toBe(5);
    expect(page1.contents.map((c) => c.name)).toEqual(["n3", "n2"]);
    const page3 = await store().knowledge.list({ knowledgeId: kb, limit: 2, page: 3 });
    expect(page3.contents.map((c) => c.name)).toEqual(["one"]);
    expect(await store().knowledge.get(kb, first.id)).toMatchObject({
      metadata: { lang: "en" },
      status: "pending",
    });
    expect(await store().knowledge.get("other-kb", first.id)).toBeUndefined();
    expect(await store().knowledge.setStatus(first.id, "processing", null, { size: 99 })).toBe(true);
    expect(await store().knowledge.setStatus("missing", "processing", null)).toBe(false);
    expect(await store().knowledge.count(kb)).toBe(5);
    expect(await store().knowledge.count(kb, "processing")).toBe(1);
  });

  it("knowledge: stores chunks on completion and finds them by keyword (BM25) with metadata filters", async () => {
    const kb = `kb-${newId()}`;
    const cats = contentOf({
      knowledge_id: kb,
      name: "cats",
      metadata: { animal: "cat", tags: ["pets", "fur"] },
    });
    const dogs = contentOf({ knowledge_id: kb, name: "dogs", metadata: { animal: "dog", legs: 4 } });
    const elsewhere = contentOf({ knowledge_id: `kb-${newId()}`, name: "elsewhere" });
    for (const c of [cats, dogs, elsewhere]) await store().knowledge.add(c);
    const chunk = (index: number, content: string) => ({ index, content, token_count: 5 });
    expect(
      await store().knowledge.complete(
        cats.id,
        [chunk(0, "Cats purr and sleep."), chunk(1, "Cats chase mice.")],
        "2 chunks",
      ),
    ).toBe(true);
    await store().knowledge.complete(dogs.id, [chunk(0, "Dogs bark at cats, dogs dogs dogs.")], null);
    await store().knowledge.complete(elsewhere.id, [chunk(0, "Dogs everywhere.")], null);
    expect(await store().knowledge.get(kb, cats.id)).toMatchObject({
      status: "completed",
      status_message: "2 chunks",
      chunk_count: 2,
    });

    const dogHits = await store().knowledge.keywordSearch({
      knowledgeId: kb,
      text: "barking dog",
      limit: 10,
    });
    expect(dogHits.map((h) => h.name)).toEqual(["dogs"]); // stemmed; the other knowledge base is not searched
    expect(dogHits[0]).toMatchObject({
      content_id: dogs.id,
      chunk_index: 0,
      metadata: { animal: "dog", legs: 4 },
    });
    const catHits = await store().knowledge.keywordSearch({ knowledgeId: kb, text: "cats", limit: 10 });
    expect(catHits).toHaveLength(3);
    expect(catHits[0].score).toBeGreaterThanOrEqual(catHits[catHits.length - 1].score);
    const filtered = await store().knowledge.keywordSearch({
      knowledgeId: kb,
      text: "cats",
      limit: 10,
      filters: { animal: "dog" },
    });
    expect(filtered.map((h) => h.name)).toEqual(["dogs"]);
    expect(
      (
        await store().knowledge.keywordSearch({
          knowledgeId: kb,
          text: "cats",
          limit: 10,
          filters: { tags: "fur" },
        })
      ).map((h) => h.name),
    ).toEqual(["cats", "cats"]);
    expect(
      await store().knowledge.keywordSearch({
        knowledgeId: kb,
        text: "cats",
        limit: 10,
        filters: { legs: "4" },
      }),
    ).toEqual([]); // typed equality: the string "4" is not the number 4
    expect(
      await store().knowledge.keywordSearch({
        knowledgeId: kb,
        text: 'cats" OR NOT "x',
        limit: 10,
        filters: { animal: ["dog", "cat"] },
      }),
    ).toHaveLength(3); // quotes in the query are words, not FTS syntax
    expect(await store().knowledge.keywordSearch({ knowledgeId: kb, text: "!!!", limit: 10 })).toEqual([]);
  });

  it("knowledge: finds the nearest vectors within one knowledge base, with filters, and deletes them with the content", async () => {
    const kb = `kb-${newId()}`;
    const other = `kb-${newId()}`;
    const a = contentOf({ knowledge_id: kb, name: "a", metadata: { group: 1 } });
    const b = contentOf({ knowledge_id: kb, name: "b", metadata: { group: 2 } });
    const c = contentOf({ knowledge_id: other, name: "c" });
    for (const x of [a, b, c]) await store().knowledge.add(x);
    await store().knowledge.complete(
      a.id,
      [
        { index: 0, content: "east", token_count: 1, embedding: unit(1, 0, 0, 0) },
        { index: 1, content: "north-east", token_count: 1, embedding: unit(1, 1, 0, 0) },
      ],
      null,
    );
    await store().knowledge.complete(
      b.id,
      [{ index: 0, content: "north", token_count: 1, embedding: unit(0, 1, 0, 0) }],
      null,
    );
    await store().knowledge.complete(
      c.id,
      [{ index: 0, content: "exactly east", token_count: 1, embedding: unit(1, 0, 0, 0) }],
      null,
    );
    expect((await store().knowledge.get(kb, a.id))?.vector_dims).toBe(4);

    const hits = await store().knowledge.vectorSearch({
      knowledgeId: kb,
      vector: unit(1, 0.1, 0, 0),
      limit: 3,
    });
    expect(hits.map((h) => h.content)).toEqual(["east", "north-east", "north"]);
    expect(hits[0].score).toBeGreaterThan(0.99);
    expect(hits[2].score).toBeLessThan(0.2);
    const group2 = await store().knowledge.vectorSearch({
      knowledgeId: kb,
      vector: unit(1, 0, 0, 0),
      limit: 3,
      filters: { group: 2 },
    });
    expect(group2.map((h) => h.content)).toEqual(["north"]);

    // Completing again (a retry) replaces the chunks and their vectors.
    await store().knowledge.complete(
      b.id,
      [{ index: 0, content: "west", token_count: 1, embedding: unit(-1, 0, 0, 0) }],
      null,
    );
    expect(
      (await store().knowledge.vectorSearch({ knowledgeId: kb, vector: unit(0.1, 1, 0, 0), limit: 5 })).map(
        (h) => h.content,
      ),
    ).toEqual(["north-east", "east", "west"]);
    expect(await store().knowledge.delete(kb, a.id)).toBe(true);
    expect(await store().knowledge.delete(kb, a.id)).toBe(false);
    expect(await store().knowledge.get(kb, a.id)).toBeUndefined();
    expect(
      (await store().knowledge.vectorSearch({ knowledgeId: kb, vector: unit(1, 0, 0, 0), limit: 5 })).map(
        (h) => h.content,
      ),
    ).toEqual(["west"]);
    expect(await store().knowledge.keywordSearch({ knowledgeId: kb, text: "east", limit: 5 })).toEqual([]);
    expect(
      await store().knowledge.complete(a.id, [{ index: 0, content: "late", token_count: 1 }], null),
    ).toBe(false);
    expect(await store().knowledge.keywordSearch({ knowledgeId: kb, text: "late", limit: 5 })).toEqual([]);
  });

  it("knowledge: content a crash left pending or processing becomes failed with the reason", async () => {
    const kb = `kb-${newId()}`;
    const pending = contentOf({ knowledge_id: kb });
    const processing = contentOf({ knowledge_id: kb, status: "processing" });
    const done = contentOf({ knowledge_id: kb, status: "completed" });
    for (const x of [pending, processing, done]) await store().knowledge.add(x);
    const failed = await store().knowledge.failUnfinished("interrupted by restart");
    expect(failed).toEqual(expect.arrayContaining([pending.id, processing.id]));
    expect(failed).not.toContain(done.id);
    expect(await store().knowledge.get(kb, processing.id)).toMatchObject({
      status: "failed",
      status_message: "interrupted by restart",
    });
  });
}
