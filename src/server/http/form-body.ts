import type { FastifyRequest } from "fastify";
import "@fastify/multipart";
import { PayloadTooLargeError } from "../../errors.js";

export interface UploadedFile {
  field: string;
  filename: string;
  mimetype: string;
  data: Buffer;
}

export interface BodyLimits {
  /** Largest single uploaded file. */
  maxFileBytes: number;
  /** Largest request body. */
  maxRequestBytes: number;
  maxFiles: number;
}

export interface FormBody {
  fields: Record<string, unknown>;
  files: UploadedFile[];
}

/**
 * Reads a form (multipart or urlencoded) or JSON body into fields and files. Multipart is read
 * as a stream: a file or the whole body over its limit is refused as soon as it is seen.
 */
export async function readFormBody(req: FastifyRequest, limits: BodyLimits): Promise<FormBody> {
  if (!req.isMultipart()) {
    const body = req.body;
    if (body === undefined || body === null || body === "") return { fields: {}, files: [] };
    if (typeof body !== "object" || Array.isArray(body)) return { fields: { __invalid__: body }, files: [] };
    return { fields: body as Record<string, unknown>, files: [] };
  }
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limits.maxRequestBytes) throw tooLarge(limits.maxRequestBytes);
  const fields: Record<string, unknown> = {};
  const files: UploadedFile[] = [];
  let total = 0;
  const parts = req.parts({
    limits: {
      fileSize: limits.maxFileBytes,
      files: limits.maxFiles,
      fieldSize: limits.maxRequestBytes,
      parts: 1000,
    },
  });
  for await (const part of parts) {
    if (part.type === "file") {
      let data: Buffer;
      try {
        data = await part.toBuffer();
      } catch (err) {
        if ((err as { code?: string }).code === "FST_REQ_FILE_TOO_LARGE") {
          throw new PayloadTooLargeError(
            `File '${part.filename}' is larger than the limit of ${limits.maxFileBytes} bytes`,
          );
        }
        throw err;
      }
      total += data.length;
      if (total > limits.maxRequestBytes) throw tooLarge(limits.maxRequestBytes);
      files.push({ field: part.fieldname, filename: part.filename, mimetype: part.mimetype, data });
    } else {
      const value = String(part.value ?? "");
      total += value.length;
      if (total > limits.maxRequestBytes) throw tooLarge(limits.maxRequestBytes);
      addField(fields, part.fieldname, value);
    }
  }
  return { fields, files };
}

function tooLarge(max: number) {
  return new PayloadTooLargeError(`Request body is larger than the limit of ${max} bytes`);
}

/** A repeated field becomes an array, as in URLSearchParams. */
export function addField(fields: Record<string, unknown>, name: string, value: string): void {
  if (name in Object.prototype) return;
  const prev = fields[name];
  if (prev === undefined) fields[name] = value;
  else if (Array.isArray(prev)) prev.push(value);
  else fields[name] = [prev, value];
}

/** Parses application/x-www-form-urlencoded text. */
export function parseUrlEncoded(text: string): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(text)) addField(fields, k, v);
  return fields;
}
