/**
 * Knowledge: ingestion throughput (read, chunk, embed, store) in chunks per second, and search
 * latency (p50/p95) for keyword (FTS5, BM25) and 384-dimension vectors (sqlite-vec) at 10k and
 * 100k chunks. The search corpus is synthetic and inserted in batches through the store.
 * Run: node --import tsx bench/knowledge.ts [--quick]
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { HashingEmbedder, Knowledge, contentId } from "../src/knowledge/index.js";
import { SqliteDb } from "../src/storage/index.js";
import type { ChunkInput } from "../src/storage/index.js";

const DIMS = 384;
const QUERIES = 200;

/** A deterministic pseudo-random generator (mulberry32), so that runs compare. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = rng(42);
// 20,000 made-up words (two or three syllables), drawn with Zipf's law as in natural text: the
// word of rank r has probability proportional to 1/r. Queries draw from ranks 100 and beyond, the
// ranks of content words (the most frequent ones play the part of stop words).
const SYLLABLES =
  "ka lo mi ne ru sa te vi zo pa de fi gu ho ja ke lu ma no pe ri so ta ve wu ya zi bo ce da".split(" ");
const VOCAB = [
  ...new Set(
    Array.from({ length: 40_000 }, () =>
      Array.from(
        { length: 2 + Math.floor(random() * 2) },
        () => SYLLABLES[Math.floor(random() * SYLLABLES.length)],
      ).join(""),
    ),
  ),
].slice(0, 20_000);
const zipf = (from = 0) =>
  VOCAB[
    Math.min(
      VOCAB.length - 1,
      Math.floor(Math.exp(Math.log(from + 1) + random() * (Math.log(VOCAB.length) - Math.log(from + 1)))) - 1,
    )
  ];
const word = () => zipf();
const queryWord = () => zipf(100);
const sentence = (n: number) => Array.from({ length: n }, word).join(" ") + ".";

function unitVector(): Float32Array {
  const v = new Float32Array(DIMS);
  let norm = 0;
  for (let i = 0; i < DIMS; i++) {
    v[i] = random() * 2 - 1;
    norm += v[i] * v[i];
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < DIMS; i++) v[i] /= norm;
  return v;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

async function timed(n: number, fn: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 10; i++) await fn(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p95: percentile(ms, 95) };
}

/**
 * Ingestion through the whole pipeline (Markdown reader, recursive chunking, hashing embedder,
 * SQLite with FTS5 and sqlite-vec), one document after the other. The documents are real prose:
 * each is eight sections of this project's README and docs, in a random order, under its own title.
 */
async function measureIngestion(db: SqliteDb, docs: number) {
  const k = new Knowledge({
    id: "ingest",
    name: "Ingest",
    db,
    embedder: new HashingEmbedder({ dimensions: DIMS }),
  });
  const root = fileURLToPath(new URL("..", import.meta.url));
  const sections = [
    join(root, "README.md"),
    ...readdirSync(join(root, "docs")).map((f) => join(root, "docs", f)),
  ]
    .flatMap((f) => readFileSync(f, "utf8").split(/\n(?=## )/))
    .filter((s) => s.length > 200);
  const texts = Array.from({ length: docs }, (_, d) =>
    [
      `# Document ${d}`,
      ...Array.from({ length: 8 }, () => sections[Math.floor(random() * sections.length)]),
    ].join("\n\n"),
  );
  await k.insert({ text: "warm up the tokenizer" });
  const t0 = performance.now();
  let chunks = 0;
  for (const text of texts) {
    const c = await k.insert({ text });
    chunks += c.chunk_count;
  }
  const seconds = (performance.now() - t0) / 1000;
  return { docs, chunks, seconds, chunksPerSecond: chunks / seconds, megabytes: texts.join("").length / 1e6 };
}

/** Grows a knowledge base to `target` chunks of ~40 words, with vectors, in batches of 1,000. */
async function grow(db: SqliteDb, knowledgeId: string, from: number, target: number) {
  const now = Date.now();
  for (let start = from; start < target; start += 1000) {
    const id = contentId(knowledgeId, `bench-${start}`);
    await db.knowledge.add({
      id,
      knowledge_id: knowledgeId,
      name: `doc-${start}`,
      description: null,
      type: "text/plain",
      size: null,
      source: null,
      content_hash: null,
      metadata: { shard: start % 7 },
      status: "processing",
      status_message: null,
      chunk_count: 0,
      vector_dims: null,
      created_at: now,
      updated_at: now,
    });
    const chunks: ChunkInput[] = Array.from({ length: Math.min(1000, target - start) }, (_, i) => ({
      index: i,
      content: `${sentence(20)} ${sentence(20)}`,
      token_count: 60,
      embedding: unitVector(),
    }));
    await db.knowledge.complete(id, chunks, null);
  }
}

async function measureSearch(db: SqliteDb, knowledgeId: string) {
  const keyword = await timed(QUERIES, () =>
    db.knowledge.keywordSearch({
      knowledgeId,
      text: `${queryWord()} ${queryWord()} ${queryWord()}`,
      limit: 10,
    }),
  );
  const vector = await timed(QUERIES, () =>
    db.knowledge.vectorSearch({ knowledgeId, vector: unitVector(), limit: 10 }),
  );
  const filtered = await timed(Math.floor(QUERIES / 4), () =>
    db.knowledge.vectorSearch({ knowledgeId, vector: unitVector(), limit: 10, filters: { shard: 3 } }),
  );
  return { keyword, vector, filtered };
}

export async function measureKnowledge(quick = false) {
  const dir = mkdtempSync(join(tmpdir(), "agentos-bench-kb-"));
  const db = new SqliteDb({ file: join(dir, "bench.db") });
  try {
    await db.migrate();
    const ingestion = await measureIngestion(db, quick ? 20 : 100);
    const sizes = quick ? [10_000] : [10_000, 100_000];
    const search: {
      chunks: number;
      insertSeconds: number;
      result: Awaited<ReturnType<typeof measureSearch>>;
    }[] = [];
    let have = 0;
    for (const size of sizes) {
      const t0 = performance.now();
      await grow(db, "search", have, size);
      const insertSeconds = (performance.now() - t0) / 1000;
      have = size;
      search.push({ chunks: size, insertSeconds, result: await measureSearch(db, "search") });
    }
    return { ingestion, search };
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes("--quick");
  const { ingestion, search } = await measureKnowledge(quick);
  const ms = (x: number) => `${x.toFixed(2)} ms`;
  console.log(
    `ingestion: ${ingestion.docs} Markdown docs (${ingestion.megabytes.toFixed(1)} MB), ${ingestion.chunks} chunks (512 tokens max, 384-dim hashing embedder) in ${ingestion.seconds.toFixed(2)} s = ${Math.round(ingestion.chunksPerSecond)} chunks/s`,
  );
  console.log(
    "\n| chunks | bulk insert (with vectors) | keyword p50 / p95 | vector (384) p50 / p95 | vector + filter p50 / p95 |\n|---|---|---|---|---|",
  );
  for (const s of search) {
    const r = s.result;
    console.log(
      `| ${s.chunks.toLocaleString("en")} | ${Math.round((s.chunks - (search[search.indexOf(s) - 1]?.chunks ?? 0)) / s.insertSeconds).toLocaleString("en")} chunks/s | ${ms(r.keyword.p50)} / ${ms(r.keyword.p95)} | ${ms(r.vector.p50)} / ${ms(r.vector.p95)} | ${ms(r.filtered.p50)} / ${ms(r.filtered.p95)} |`,
    );
  }
}
