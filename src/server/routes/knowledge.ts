import { z } from "zod";
import { defineRoute } from "../route.js";
import type { RouteDef } from "../route.js";
import { jsonObject, limitParam, single } from "../schemas/fields.js";
import { contentItem, knowledgeInstance, paginated } from "../serializers/root.js";
import type { KnowledgeService } from "../services/knowledge-service.js";

const kbParams = z.object({ knowledge_id: z.string().min(1) });
const contentParams = z.object({ knowledge_id: z.string().min(1), content_id: z.string().min(1) });
const tags = ["Knowledge"];
const scope = (action: "read" | "write" | "delete") =>
  ({ resource: "knowledge", action, idParam: "knowledge_id" }) as const;

const uploadForm = z.object({
  name: single(z.string().trim().min(1).max(500).optional()).describe("Shown in listings and results"),
  description: single(z.string().max(5000).optional()),
  metadata: single(jsonObject.optional()).describe("JSON object; its top-level values can be search filters"),
  text_content: single(z.string().optional()).describe("Text (read as Markdown) instead of a file"),
  url: single(z.string().max(4096).optional()).describe("An http(s) URL to fetch instead of a file"),
});

const searchBody = z.object({
  query: z.string().trim().min(1).max(4000),
  search_type: z
    .string()
    .optional()
    .describe("keyword, vector or hybrid (default: hybrid with an embedder, else keyword)"),
  limit: z.number().int().min(1).max(100).optional().describe("Default 10"),
  filters: z
    .record(z.string(), z.unknown())
    .optional()
    .describe("Equality on metadata keys; an array matches any of its values"),
});

/** `/knowledge`: list bases; upload, list, get, poll and delete content; search. */
export function knowledgeRoutes(knowledge: KnowledgeService): RouteDef[] {
  return [
    defineRoute({
      method: "GET",
      path: "/knowledge",
      summary: "List the knowledge bases with their document counts",
      tags,
      scope: { resource: "knowledge", action: "read" },
      handler: async () => ({
        knowledge_instances: await Promise.all(
          knowledge.list().map(async (b) => knowledgeInstance(b, await b.documentCount())),
        ),
      }),
    }),
    defineRoute({
      method: "POST",
      path: "/knowledge/:knowledge_id/content",
      summary: "Add a file, text or URL; answers 202 and processes it in the background",
      description:
        "Multipart `file`, or `text_content`, or `url` (exactly one), with optional `name`, `description` and `metadata` (JSON). " +
        "The content id is derived from the bytes (or URL): uploading the same bytes again returns the same content and adds nothing. " +
        "Poll `.../content/{content_id}/status` until `completed` or `failed`.",
      tags,
      scope: scope("write"),
      params: kbParams,
      bodyKind: "form",
      body: uploadForm,
      responses: { 202: z.object({ id: z.string(), status: z.string() }).loose() },
      handler: async ({ params, body, files, reply }) => {
        const base = knowledge.base(params.knowledge_id); // 404 before the upload is read
        const record = await knowledge.upload(base, await body(), files);
        reply.code(202);
        // The contract's 202 says "processing": the content is now in the background pipeline (queued or running).
        const item = contentItem(record);
        return item.status === "pending" ? { ...item, status: "processing" } : item;
      },
    }),
    defineRoute({
      method: "GET",
      path: "/knowledge/:knowledge_id/content",
      summary: "List the content of a knowledge base, newest first (limit and 1-based page)",
      tags,
      scope: scope("read"),
      params: kbParams,
      query: z.object({ limit: limitParam(20, 1000), page: z.coerce.number().int().min(1).default(1) }),
      handler: async ({ params, query }) => {
        const page = await knowledge.base(params.knowledge_id).list(query.limit, query.page);
        return paginated(page.contents.map(contentItem), query.page, query.limit, page.total);
      },
    }),
    defineRoute({
      method: "GET",
      path: "/knowledge/:knowledge_id/content/:content_id",
      summary: "One content with its status",
      tags,
      scope: scope("read"),
      params: contentParams,
      handler: async ({ params }) =>
        contentItem(await knowledge.base(params.knowledge_id).get(params.content_id)),
    }),
    defineRoute({
      method: "GET",
      path: "/knowledge/:knowledge_id/content/:content_id/status",
      summary: "A content's processing status: pending, processing, completed or failed (with a message)",
      tags,
      scope: scope("read"),
      params: contentParams,
      handler: async ({ params }) => {
        const c = await knowledge.base(params.knowledge_id).get(params.content_id);
        return { id: c.id, status: c.status, status_message: c.status_message };
      },
    }),
    defineRoute({
      method: "DELETE",
      path: "/knowledge/:knowledge_id/content/:content_id",
      summary: "Delete a content with its chunks and vectors",
      tags,
      scope: scope("delete"),
      params: contentParams,
      responses: { 204: z.null() },
      handler: async ({ params, reply }) => {
        await knowledge.delete(knowledge.base(params.knowledge_id), params.content_id);
        reply.code(204);
        return undefined;
      },
    }),
    defineRoute({
      method: "POST",
      path: "/knowledge/:knowledge_id/search",
      summary: "Search a knowledge base: keyword (BM25), vector or hybrid, with metadata filters",
      tags,
      scope: scope("read"),
      params: kbParams,
      bodyKind: "json",
      body: searchBody,
      handler: async ({ params, body }) => {
        const base = knowledge.base(params.knowledge_id);
        const res = await knowledge.search(base, await body());
        return {
          results: res.results,
          search_type: res.searchType,
          search_time_ms: Math.round(res.timeMs * 100) / 100,
        };
      },
    }),
  ];
}
