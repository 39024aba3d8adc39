import { TextDecoder } from "node:util";

/** What a reader makes of a file: its text, and whether Markdown structure can guide chunking. */
export interface ReadDocument {
  text: string;
  format: "markdown" | "text";
  title?: string;
}

export interface ReadInput {
  data: Uint8Array;
  filename?: string;
  /** The charset named by the content type, if any. */
  charset?: string;
  signal?: AbortSignal;
}

/** Turns the bytes of one kind of file into text. */
export interface Reader {
  readonly id: string;
  readonly mimeTypes: readonly string[];
  readonly extensions: readonly string[];
  read(input: ReadInput): Promise<ReadDocument>;
}

/** A file the reader cannot make sense of; its message ends up in the content's status message. */
export class UnreadableContentError extends Error {
  override readonly name = "UnreadableContentError";
}

/** Decodes text: a UTF-16 byte-order mark, else the named charset, else UTF-8. Refuses binary data. */
export function decodeText(data: Uint8Array, charset?: string): string {
  const bom =
    data[0] === 0xff && data[1] === 0xfe
      ? "utf-16le"
      : data[0] === 0xfe && data[1] === 0xff
        ? "utf-16be"
        : undefined;
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(bom ?? (charset || "utf-8"));
  } catch {
    decoder = new TextDecoder("utf-8"); // an unknown charset label: UTF-8 is the best guess
  }
  const text = decoder.decode(data);
  if (text.includes("\u0000")) throw new UnreadableContentError("The file is binary, not text");
  return text;
}
