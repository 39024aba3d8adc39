import { describe, expect, it } from "vitest";
import { READERS, UnreadableContentError, readerFor } from "../../src/knowledge/index.js";
import type { Reader } from "../../src/knowledge/index.js";
import { docxBytes, pdfBytes } from "../helpers/documents.js";

const reader = (id: string): Reader => READERS.find((r) => r.id === id)!;
const read = (id: string, text: string | Buffer, filename?: string, charset?: string) =>
  reader(id).read({ data: typeof text === "string" ? Buffer.from(text) : text, filename, charset });

describe("readers", () => {
  it("plain text: decoded as UTF-8 (or the given charset), byte-order mark dropped, binary refused", async () => {
    expect(await read("text", "\uFEFFhello wörld")).toEqual({ text: "hello wörld", format: "text" });
    expect((await read("text", Buffer.from([0x63, 0x61, 0x66, 0xe9]), undefined, "latin1")).text).toBe(
      "café",
    );
    await expect(read("text", Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]))).rejects.toThrow(/binary/);
  });

  it("markdown: kept as Markdown, with the first heading as title", async () => {
    const doc = await read("markdown", "Intro\n\n# The Title\n\nBody");
    expect(doc).toEqual({ text: "Intro\n\n# The Title\n\nBody", format: "markdown", title: "The Title" });
  });

  it("PDF: the text of each page (unpdf); a PDF without text and broken bytes fail clearly", async () => {
    const doc = await read("pdf", pdfBytes(["Hello PDF world", "Second (line) here"]));
    expect(doc.text).toBe("Hello PDF world\nSecond (line) here");
    await expect(read("pdf", pdfBytes([]))).rejects.toThrow(/no extractable text/);
    await expect(read("pdf", "definitely not a pdf")).rejects.toBeInstanceOf(UnreadableContentError);
  });

  it("DOCX: paragraphs and headings through mammoth; a broken file fails clearly", async () => {
    const doc = await read(
      "docx",
      docxBytes([
        ["Heading1", "Quarterly report"],
        ["", "Revenue grew by 12% & costs <fell>."],
        ["", "Second paragraph."],
      ]),
    );
    expect(doc).toEqual({
      text: "# Quarterly report\n\nRevenue grew by 12% & costs <fell>.\n\nSecond paragraph.",
      format: "markdown",
    });
    await expect(read("docx", "PK not really")).rejects.toThrow(/Could not read the DOCX/);
  });

  it("CSV: one paragraph of 'column: value' lines per row; quotes, doubled quotes, line breaks and CRLF", async () => {
    const csv = 'name,notes,age\r\nAnn,"likes ""tea"", and cake",31\r\n"Bob","two\nlines",\r\n\r\n';
    expect((await read("csv", csv)).text).toBe(
      'name: Ann\nnotes: likes "tea", and cake\nage: 31\n\nname: Bob\nnotes: two\nlines',
    );
    expect((await read("csv", "a;b\n1;2\n")).text).toBe("a: 1\nb: 2"); // the delimiter is sniffed
    expect((await read("csv", "a\tb\n1\t2\n", "data.tsv")).text).toBe("a: 1\nb: 2");
    await expect(read("csv", 'a,b\n"unclosed,1\n')).rejects.toThrow(/unclosed/);
  });

  it("JSON: flattened 'path: value' lines, a paragraph per element of a top-level array; JSON Lines", async () => {
    const json = JSON.stringify([
      { title: "Tea", tags: ["hot", "green"], origin: { country: "China" } },
      { title: "Coffee", ratings: [{ by: "ann", stars: 5 }] },
    ]);
    expect((await read("json", json)).text).toBe(
      "title: Tea\ntags: hot, green\norigin.country: China\n\ntitle: Coffee\nratings[0].by: ann\nratings[0].stars: 5",
    );
    expect((await read("json", '{"a":1}\n\n{"a":2}\n', "rows.jsonl")).text).toBe("a: 1\n\na: 2");
    await expect(read("json", "{broken")).rejects.toThrow(/Invalid JSON/);
    await expect(read("json", '{"a":1}\nnope', "rows.ndjson")).rejects.toThrow(/line 2/);
  });

  it("HTML: readable Markdown-flavoured text; scripts, styles and comments dropped; entities decoded", async () => {
    const html = `<!DOCTYPE html><html><head><title>My &amp; Page</title><style>p{color:red}</style>
      <script>if (a < b) document.write("<p>injected</p>")</script></head>
      <body><!-- hidden --><h1>Welcome&nbsp;home</h1><p>First   paragraph, <a href="x">a link</a> &lt;b&gt; &#169; &#x1F600;.</p>
      <ul><li>one</li><li>two<ol><li>first</li><li>second</li></ol></li></ul>
      <table><tr><th>Name</th><th>Age</th></tr><tr><td>Ann</td><td>31</td></tr></table>
      <pre>  kept
    as is &amp; fenced</pre><div>Line<br>break</div><p title="a>b">quoted attribute</p><noscript>no</noscript></body></html>`;
    const doc = await read("html", html);
    expect(doc.title).toBe("My & Page");
    expect(doc.format).toBe("markdown");
    expect(doc.text).toBe(
      [
        "# Welcome home",
        "First paragraph, a link <b> © 😀.",
        "- one\n- two\n  1. first\n  2. second",
        "Name | Age\nAnn | 31",
        "```\n  kept\n    as is & fenced\n```",
        "Line\nbreak",
        "quoted attribute",
      ].join("\n\n"),
    );
    expect(doc.text).not.toMatch(/injected|color|hidden|no$/);
  });

  it("are chosen by MIME type, or by extension when the type is generic; others are unsupported", () => {
    expect(readerFor("application/pdf", undefined)?.id).toBe("pdf");
    expect(readerFor("Text/HTML; charset=utf-8", "page.txt")?.id).toBe("html");
    expect(readerFor("application/octet-stream", "report.DOCX")?.id).toBe("docx");
    expect(readerFor("text/plain", "notes.md")?.id).toBe("markdown");
    expect(readerFor("text/plain", undefined)?.id).toBe("text");
    expect(readerFor("application/x-whatever", "table.csv")?.id).toBe("csv");
    expect(readerFor("image/png", "photo.png")).toBeUndefined();
    expect(readerFor("application/octet-stream", "archive.zip")).toBeUndefined();
  });
});
