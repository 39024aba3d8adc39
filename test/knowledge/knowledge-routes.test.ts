import http from "node:http";
import type { AddressInfo } from "node:net";
import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../src/agent/index.js";
import { HashingEmbedder, Knowledge } from "../../src/knowledge/index.js";
import { ScriptedModel } from "../../src/model/scripted-model.js";
import { docxBytes, pdfBytes } from "../helpers/documents.js";
import { multipart } from "../helpers/multipart.js";
import { testOS } from "../helpers/test-os.js";
import type { TestOS } from "../helpers/test-os.js";
import { bearer, tokenAuth } from "../helpers/token-auth.js";

let t: TestOS;
let pages: http.Server;
let pagesUrl: string;
const inject = (opts: InjectOptions) => t.inject(opts);

beforeAll(async () => {
  pages = http.createServer((req, res) => {
    if (req.url === "/guide.html") {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(
        "<html><head><title>Guide</title></head><body><h1>Guide</h1><p>Rotate the widget clockwise.</p></body></html>",
      );
    } else {
      res.writeHead(302, { location: "http://192.168.0.1/admin" });
      res.end();
    }
  });
  await new Promise<void>((r) => pages.listen(0, "127.0.0.1", r));
  pagesUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  const docs = new Knowledge({
    id: "docs",
    name: "Docs",
    description: "Product docs",
    embedder: new HashingEmbedder(),
    fetch: { allowedHosts: ["127.0.0.1"] },
  });
  const notes = new Knowledge({ id: "notes", name: "Notes" });
  t = await testOS({
    agents: [new Agent({ id: "helper", name: "Helper", model: ScriptedModel.reply("ok"), knowledge: docs })],
    knowledge: [notes],
    limits: { maxFileBytes: 64 * 1024 },
  });
});
afterAll(async () => {
  await t.cleanup();
  pages.closeAllConnections();
  await new Promise((r) => pages.close(r));
});

const upload = (kb: string, fields: Record<string, string>, files: Parameters<typeof multipart>[1] = []) =>
  inject({ method: "POST", url: `/knowledge/${kb}/content`, ...multipart(fields, files) });

async function settled(kb: string, id: string) {
  await t.os.ingestion.idle();
  return (await inject({ url: `/knowledge/${kb}/content/${id}/status` })).json();
}

describe("/knowledge", () => {
  it("lists the bases of the OS and of its agents, in /config too", async () => {
    const body = (await inject({ url: "/knowledge" })).json();
    expect(body.knowledge_instances).toEqual([
      expect.objectContaining({ id: "notes", search_types: ["keyword"] }),
      {
        id: "docs",
        name: "Docs",
        description: "Product docs",
        db_id: "agentos-db",
        table: "knowledge_contents",
        document_count: expect.any(Number),
        search_types: ["keyword", "vector", "hybrid"],
      },
    ]);
    const config = (await inject({ url: "/config" })).json();
    expect(config.knowledge.knowledge_instances.map((k: { id: string }) => k.id)).toEqual(["notes", "docs"]);
    const agents = (await inject({ url: "/agents" })).json();
    expect(agents.agents[0]).toMatchObject({ id: "helper", has_knowledge: true, has_memory: false });
  });

  it("accepts a file (202), processes it in the background, and lists, gets and deletes it", async () => {
    const res = await upload("docs", { name: "Report", metadata: '{"team":"sales"}' }, [
      { field: "file", name: "report.pdf", type: "application/pdf", data: pdfBytes(["Sales rose in March"]) },
    ]);
    expect(res.statusCode).toBe(202);
    const created = res.json();
    expect(created).toMatchObject({
      id: expect.any(String),
      status: "processing",
      name: "Report",
      metadata: { team: "sales" },
    });
    expect(await settled("docs", created.id)).toEqual({
      id: created.id,
      status: "completed",
      status_message: "1 chunk",
    });
    const got = (await inject({ url: `/knowledge/docs/content/${created.id}` })).json();
    expect(got).toMatchObject({
      status: "completed",
      chunk_count: 1,
      type: "application/pdf",
      size: expect.any(Number),
    });
    expect(got.created_at).toMatch(/Z$/);

    const again = await upload("docs", {}, [
      { field: "file", name: "copy.pdf", type: "application/pdf", data: pdfBytes(["Sales rose in March"]) },
    ]);
    expect(again.statusCode).toBe(202);
    expect(again.json()).toMatchObject({ id: created.id, status: "completed" }); // same bytes, same content

    const hits = (
      await inject({
        method: "POST",
        url: "/knowledge/docs/search",
        payload: { query: "march sales", search_type: "keyword" },
      })
    ).json();
    expect(hits.results[0]).toMatchObject({
      content_id: created.id,
      name: "Report",
      content: "Sales rose in March",
      metadata: { team: "sales" },
    });
    expect(typeof hits.search_time_ms).toBe("number");

    expect(
      (await inject({ method: "DELETE", url: `/knowledge/docs/content/${created.id}` })).statusCode,
    ).toBe(204);
    expect((await inject({ url: `/knowledge/docs/content/${created.id}` })).statusCode).toBe(404);
    expect(
      (await inject({ method: "DELETE", url: `/knowledge/docs/content/${created.id}` })).statusCode,
    ).toBe(404);
    const after = (
      await inject({ method: "POST", url: "/knowledge/docs/search", payload: { query: "march sales" } })
    ).json();
    expect(after.results.map((r: { content_id: string }) => r.content_id)).not.toContain(created.id);
  });

  it("accepts text_content and DOCX, pages the list newest first", async () => {
    const a = (await upload("notes", { text_content: "# Alpha\n\nfirst note" })).json();
    const b = (
      await upload("notes", {}, [
        {
          field: "file",
          name: "b.docx",
          type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          data: docxBytes([
            ["Heading1", "Beta"],
            ["", "second note"],
          ]),
        },
      ])
    ).json();
    expect(await settled("notes", b.id)).toMatchObject({ status: "completed" });
    expect(a.name).toBe("Alpha");
    const page1 = (await inject({ url: "/knowledge/notes/content?limit=1&page=1" })).json();
    expect(page1.meta).toEqual({ page: 1, limit: 1, total_pages: 2, total_count: 2 });
    expect(page1.data.map((c: { id: string }) => c.id)).toEqual([b.id]);
    const page2 = (await inject({ url: "/knowledge/notes/content?limit=1&page=2" })).json();
    expect(page2.data.map((c: { id: string }) => c.id)).toEqual([a.id]);
    expect((await inject({ url: "/knowledge" })).json().knowledge_instances[0]).toMatchObject({
      id: "notes",
      document_count: 2,
    });
  });

  it("fetches a URL from an allowed host; a redirect to a private address fails with the reason", async () => {
    const ok = (await upload("docs", { url: `${pagesUrl}/guide.html` })).json();
    expect(await settled("docs", ok.id)).toMatchObject({ status: "completed" });
    expect((await inject({ url: `/knowledge/docs/content/${ok.id}` })).json()).toMatchObject({
      type: "text/html",
      source: `${pagesUrl}/guide.html`,
    });
    const search = (
      await inject({
        method: "POST",
        url: "/knowledge/docs/search",
        payload: { query: "widget", search_type: "keyword" },
      })
    ).json();
    expect(search.results[0].content).toContain("Rotate the widget clockwise.");
    const bad = (await upload("docs", { url: `${pagesUrl}/redirect` })).json();
    expect(await settled("docs", bad.id)).toEqual({
      id: bad.id,
      status: "failed",
      status_message: "Refused to fetch http://192.168.0.1: 192.168.0.1 is a private address",
    });
  });

  it("refuses bad uploads with the documented status, storing nothing", async () => {
    const before = (await inject({ url: "/knowledge/notes/content" })).json().meta.total_count;
    const cases: [Promise<{ statusCode: number; json(): any }>, number, RegExp | null][] = [
      [upload("nope", { text_content: "x" }), 404, /Knowledge base with id 'nope' not found/],
      [
        upload("notes", {}, [{ field: "file", name: "p.png", type: "image/png", data: Buffer.alloc(10) }]),
        400,
        /Unsupported content type/,
      ],
      [
        upload("notes", {}, [
          { field: "file", name: "big.txt", type: "text/plain", data: Buffer.alloc(65 * 1024, 97) },
        ]),
        413,
        /larger than the limit/,
      ],
      [upload("notes", { text_content: "a".repeat(65 * 1024) }), 413, /text_content is larger/],
      [upload("notes", {}), 422, null],
      [upload("notes", { text_content: "x", url: "https://example.com/" }), 400, /only one/],
      [upload("notes", { text_content: "x", metadata: "[1,2]" }), 422, null],
      [upload("notes", { url: "http://169.254.169.254/latest" }), 400, /cloud metadata/],
      [upload("notes", { url: "ftp://example.com/x" }), 400, /Only http and https/],
      [
        upload("notes", {}, [
          { field: "attachment", name: "a.txt", type: "text/plain", data: Buffer.from("x") },
        ]),
        400,
        /'file' field/,
      ],
    ];
    for (const [res, status, detail] of cases) {
      const r = await res;
      expect(r.statusCode, JSON.stringify(r.json())).toBe(status);
      if (detail) expect(r.json().detail).toMatch(detail);
    }
    expect((await upload("notes", {})).json().detail[0]).toMatchObject({
      loc: ["body", "file"],
      type: "missing",
    });
    expect((await inject({ url: "/knowledge/notes/content" })).json().meta.total_count).toBe(before);
  });

  it("answers bad searches and unknown ids with 400, 404 and 422", async () => {
    const search = (kb: string, payload: unknown) =>
      inject({ method: "POST", url: `/knowledge/${kb}/search`, payload: payload as object });
    expect((await search("nope", { query: "x" })).statusCode).toBe(404);
    const badType = await search("docs", { query: "x", search_type: "semantic" });
    expect(badType.statusCode).toBe(400);
    expect(badType.json().detail).toMatch(/Unsupported search_type 'semantic'/);
    const noEmbedder = await search("notes", { query: "x", search_type: "vector" });
    expect(noEmbedder.statusCode).toBe(400);
    expect(noEmbedder.json().detail).toMatch(/no embedder/);
    expect((await search("docs", {})).statusCode).toBe(422);
    expect((await search("docs", { query: "x", limit: 0 })).statusCode).toBe(422);
    expect((await search("docs", { query: "x", filters: { a: { b: 1 } } })).statusCode).toBe(400);
    expect((await inject({ url: "/knowledge/docs/content/unknown-id" })).statusCode).toBe(404);
    expect((await inject({ url: "/knowledge/docs/content/unknown-id/status" })).statusCode).toBe(404);
    expect((await inject({ url: "/knowledge/docs/content?limit=0" })).statusCode).toBe(422);
    expect((await inject({ url: "/knowledge/nope/content" })).statusCode).toBe(404);
  });
});

describe("/knowledge without knowledge bases, and with scopes", () => {
  it("answers 503 when the OS has no knowledge base", async () => {
    const bare = await testOS({
      agents: [new Agent({ id: "a", name: "A", model: ScriptedModel.reply("ok") })],
    });
    try {
      const res = await bare.inject({ url: "/knowledge" });
      expect(res.statusCode).toBe(503);
      expect(res.json().detail).toMatch(/no knowledge base is configured/);
      expect(
        (await bare.inject({ method: "POST", url: "/knowledge/x/search", payload: { query: "q" } }))
          .statusCode,
      ).toBe(503);
      expect((await bare.inject({ url: "/config" })).json().knowledge).toEqual({ knowledge_instances: [] });
    } finally {
      await bare.cleanup();
    }
  });

  it("requires knowledge:read, knowledge:write and knowledge:delete (or a per-base scope)", async () => {
    const secured = await testOS({
      knowledge: [new Knowledge({ id: "kb", name: "KB" }), new Knowledge({ id: "other", name: "Other" })],
      auth: tokenAuth({
        reader: { userId: "r", scopes: ["knowledge:read"] },
        writer: { userId: "w", scopes: ["knowledge:kb:write"] },
      }),
    });
    try {
      const form = multipart({ text_content: "hello" }, []);
      const post = (token: string, kb = "kb") =>
        secured.inject({
          method: "POST",
          url: `/knowledge/${kb}/content`,
          ...form,
          headers: { ...form.headers, ...bearer(token) },
        });
      expect((await secured.inject({ url: "/knowledge" })).statusCode).toBe(401);
      expect((await secured.inject({ url: "/knowledge", headers: bearer("reader") })).statusCode).toBe(200);
      expect((await post("reader")).statusCode).toBe(403);
      expect((await post("writer")).statusCode).toBe(202);
      expect((await post("writer", "other")).statusCode).toBe(403);
      const del = await secured.inject({
        method: "DELETE",
        url: "/knowledge/kb/content/x",
        headers: bearer("writer"),
      });
      expect(del.statusCode).toBe(403);
    } finally {
      await secured.cleanup();
    }
  });
});
