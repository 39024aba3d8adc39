import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { BadRequestError } from "../errors.js";
import type { ContentRecord } from "../storage/index.js";
import { checkUrl } from "./fetch/safe-fetch.js";
import type { FetchPolicy } from "./fetch/safe-fetch.js";
import { readerFor, supportedTypes } from "./readers/index.js";

export interface ContentDetails {
  /** Shown in listings and search results. Default: the file name, URL, path or the text's first line. */
  name?: string;
  description?: string;
  /** Free-form; top-level values can be used as search filters. */
  metadata?: Record<string, unknown>;
  /**
   * A stable identity for content that changes over time (a file kept in sync): adding it again
   * with other bytes re-processes it in place instead of adding a second content. `path` sources
   * use their path by default.
   */
  key?: string;
}

/** Content to add to a knowledge base: a text, bytes of a file, a URL, or a local file path (code only). */
export type ContentInput = ContentDetails &
  (
    | { text: string }
    | { data: Uint8Array; filename?: string; mimeType?: string }
    | { url: string }
    | { path: string; mimeType?: string }
  );

/** Where the pipeline reads a content from. */
export type ContentSource = { bytes: Buffer; filename?: string; mimeType: string } | { url: string };

export interface PreparedContent {
  record: ContentRecord;
  source: ContentSource;
}

/**
 * Works out a content's identity and record without processing it. The id is derived from the
 * knowledge base and the bytes' SHA-256 (or the key or URL), so adding the same bytes again is
 * idempotent. Unsupported types and unfetchable URLs are refused here (BadRequestError).
 */
export async function prepareContent(
  knowledgeId: string,
  input: ContentInput,
  fetchPolicy: FetchPolicy | undefined,
): Promise<PreparedContent> {
  const now = Date.now();
  const base = {
    knowledge_id: knowledgeId,
    description: input.description ?? null,
    metadata: input.metadata ?? null,
    status: "pending" as const,
    status_message: null,
    chunk_count: 0,
    vector_dims: null,
    created_at: now,
    updated_at: now,
  };
  if ("url" in input) {
    let url: URL;
    try {
      url = checkUrl(input.url, fetchPolicy);
    } catch (err) {
      throw new BadRequestError((err as Error).message);
    }
    url.hash = "";
    return {
      record: {
        ...base,
        id: contentId(knowledgeId, input.key !== undefined ? `key:${input.key}` : `url:${url.href}`),
        name: input.name ?? url.href,
        type: null,
        size: null,
        source: url.href,
        content_hash: null,
      },
      source: { url: url.href },
    };
  }
  let bytes: Buffer;
  let filename: string | undefined;
  let mimeType: string | undefined;
  let name: string;
  let key = input.key;
  if ("text" in input) {
    bytes = Buffer.from(input.text, "utf8");
    mimeType = "text/markdown"; // headings, if any, guide chunking; plain prose reads the same
    name = input.name ?? firstLine(input.text);
  } else if ("data" in input) {
    bytes = Buffer.from(input.data.buffer, input.data.byteOffset, input.data.byteLength);
    filename = input.filename;
    mimeType = input.mimeType;
    name = input.name ?? filename ?? "upload";
  } else {
    bytes = await readFile(input.path);
    filename = basename(input.path);
    mimeType = input.mimeType;
    name = input.name ?? input.path;
    key ??= input.path;
  }
  const reader = readerFor(mimeType, filename);
  if (!reader)
    throw new BadRequestError(
      `Unsupported content type '${mimeType || "unknown"}'${filename ? ` for '${filename}'` : ""}; supported: ${supportedTypes()}`,
    );
  const hash = sha256(bytes);
  const type = mimeType && mimeType !== "application/octet-stream" ? mimeType : reader.mimeTypes[0];
  return {
    record: {
      ...base,
      id: contentId(knowledgeId, key !== undefined ? `key:${key}` : `sha256:${hash}`),
      name,
      type,
      size: bytes.length,
      source: "path" in input ? input.path : (filename ?? null),
      content_hash: hash,
    },
    source: { bytes, ...(filename ? { filename } : {}), mimeType: type },
  };
}

/** The hex SHA-256 of a content's bytes: its identity. */
export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A UUID-shaped id (version 8: derived, not random) from the knowledge base and the content's identity. */
export function contentId(knowledgeId: string, identity: string): string {
  const h = createHash("sha256").update(knowledgeId).update("\u0000").update(identity).digest();
  h[6] = 0x80 | (h[6] & 0x0f);
  h[8] = 0x80 | (h[8] & 0x3f);
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

function firstLine(text: string): string {
  const line = text
    .trim()
    .split("\n", 1)[0]
    .replace(/^#+\s*/, "")
    .trim();
  return line.length > 80 ? `${line.slice(0, 79)}…` : line || "text";
}
