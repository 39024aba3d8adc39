/** A file given to a run: an image, audio, video or document, routed by MIME type. */
export type MediaKind = "image" | "audio" | "video" | "file";

export interface Media {
  id: string;
  kind: MediaKind;
  mime_type: string;
  filename?: string;
  size: number;
  /** Base64 of the bytes, or absent when `url` is given. */
  content?: string;
  url?: string;
}

const IMAGE = ["png", "jpeg", "jpg", "gif", "webp", "bmp", "tiff", "tif", "avif", "heic"];
const AUDIO = ["wav", "mp3", "mpeg", "ogg", "m4a", "aac", "flac", "x-wav", "wave", "mp4a-latm", "x-m4a"];
const VIDEO = ["mp4", "webm", "mov", "quicktime", "mpeg", "x-flv", "flv", "x-ms-wmv", "wmv", "3gpp", "3gp"];
const DOCUMENT_MIME = new Set([
  "application/pdf",
  "application/json",
  "application/javascript",
  "text/javascript",
  "text/x-python",
  "application/x-python",
  "text/plain",
  "text/html",
  "text/css",
  "text/markdown",
  "text/csv",
  "application/xml",
  "text/xml",
  "application/rtf",
  "text/rtf",
  "application/msword",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.ms-powerpoint",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  "application/vnd.ms-excel",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/vnd.ms-outlook",
]);
const DOCUMENT_EXT: Record<string, string> = {
  pdf: "application/pdf",
  json: "application/json",
  js: "text/javascript",
  py: "text/x-python",
  txt: "text/plain",
  html: "text/html",
  htm: "text/html",
  css: "text/css",
  md: "text/markdown",
  csv: "text/csv",
  xml: "application/xml",
  rtf: "application/rtf",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  ppt: "application/vnd.ms-powerpoint",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  xls: "application/vnd.ms-excel",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  msg: "application/vnd.ms-outlook",
};
const MEDIA_EXT: Record<string, [MediaKind, string]> = {
  png: ["image", "image/png"],
  jpg: ["image", "image/jpeg"],
  jpeg: ["image", "image/jpeg"],
  gif: ["image", "image/gif"],
  webp: ["image", "image/webp"],
  bmp: ["image", "image/bmp"],
  tif: ["image", "image/tiff"],
  tiff: ["image", "image/tiff"],
  avif: ["image", "image/avif"],
  heic: ["image", "image/heic"],
  wav: ["audio", "audio/wav"],
  mp3: ["audio", "audio/mpeg"],
  ogg: ["audio", "audio/ogg"],
  m4a: ["audio", "audio/mp4"],
  aac: ["audio", "audio/aac"],
  flac: ["audio", "audio/flac"],
  mp4: ["video", "video/mp4"],
  webm: ["video", "video/webm"],
  mov: ["video", "video/quicktime"],
  mpeg: ["video", "video/mpeg"],
  mpg: ["video", "video/mpeg"],
  flv: ["video", "video/x-flv"],
  wmv: ["video", "video/x-ms-wmv"],
  "3gp": ["video", "video/3gpp"],
};

/**
 * Decides what an uploaded file is, by MIME type and, when that is empty or generic,
 * by the file's extension. Returns undefined for a type we do not accept.
 */
export function classifyMedia(
  mimeType: string | undefined,
  filename: string | undefined,
): { kind: MediaKind; mime_type: string } | undefined {
  const mime = (mimeType ?? "").split(";")[0].trim().toLowerCase();
  if (mime && mime !== "application/octet-stream") {
    const [top, sub] = mime.split("/");
    if (top === "image" && IMAGE.includes(sub)) return { kind: "image", mime_type: mime };
    if (top === "audio" && AUDIO.includes(sub)) return { kind: "audio", mime_type: mime };
    if (top === "video" && VIDEO.includes(sub)) return { kind: "video", mime_type: mime };
    if (DOCUMENT_MIME.has(mime)) return { kind: "file", mime_type: mime };
  }
  const ext = (filename ?? "").toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  if (!ext) return undefined;
  const byExt = MEDIA_EXT[ext];
  if (byExt) return { kind: byExt[0], mime_type: byExt[1] };
  if (DOCUMENT_EXT[ext]) return { kind: "file", mime_type: DOCUMENT_EXT[ext] };
  return undefined;
}
