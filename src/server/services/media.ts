import { BadRequestError } from "../../errors.js";
import { newId } from "../../ids.js";
import type { Media } from "../../run/index.js";
import { classifyMedia } from "../../run/index.js";
import type { UploadedFile } from "../http/form-body.js";

/** Uploaded files become media parts, routed by MIME type (extension as fallback). */
export function filesToMedia(files: readonly UploadedFile[]): Media[] {
  return files.map((f) => {
    const kind = classifyMedia(f.mimetype, f.filename);
    if (!kind)
      throw new BadRequestError(`Unsupported file type: '${f.filename}' (${f.mimetype || "no type"})`);
    if (f.data.length === 0) throw new BadRequestError(`File '${f.filename}' is empty`);
    return {
      id: newId(),
      kind: kind.kind,
      mime_type: kind.mime_type,
      filename: f.filename,
      size: f.data.length,
      content: f.data.toString("base64"),
    };
  });
}
