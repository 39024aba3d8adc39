/**
 * HTML to readable, Markdown-flavoured text: headings become `#` lines, list items `-` lines,
 * table cells are separated by `|`, `<pre>` is kept verbatim in a fence, and scripts, styles and
 * other non-content elements are dropped. A tokenizer, not a full HTML parser: it never throws.
 */

const SKIPPED = new Set([
  "script",
  "style",
  "noscript",
  "template",
  "head",
  "svg",
  "math",
  "iframe",
  "object",
  "canvas",
  "select",
  "button",
]);
const BLOCKS = new Set([
  "address",
  "article",
  "aside",
  "blockquote",
  "body",
  "caption",
  "center",
  "dd",
  "details",
  "dialog",
  "div",
  "dl",
  "dt",
  "fieldset",
  "figcaption",
  "figure",
  "footer",
  "form",
  "header",
  "hgroup",
  "hr",
  "html",
  "legend",
  "main",
  "nav",
  "p",
  "section",
  "summary",
  "table",
  "tbody",
  "tfoot",
  "thead",
]);

const TOKEN =
  /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[([\s\S]*?)(?:\]\]>|$)|<![^>]*>?|<\?[^>]*>?|<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)((?:\s*[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?|\s*\/)*)\s*>|[^<]+|</g;

const NAMED: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  ensp: " ",
  emsp: " ",
  thinsp: " ",
  shy: "",
  zwj: "",
  zwnj: "",
  copy: "©",
  reg: "®",
  trade: "™",
  hellip: "…",
  mdash: "—",
  ndash: "–",
  lsquo: "‘",
  rsquo: "’",
  ldquo: "“",
  rdquo: "”",
  sbquo: "‚",
  bdquo: "„",
  laquo: "«",
  raquo: "»",
  bull: "•",
  middot: "·",
  deg: "°",
  plusmn: "±",
  times: "×",
  divide: "÷",
  frac12: "½",
  frac14: "¼",
  frac34: "¾",
  euro: "€",
  pound: "£",
  yen: "¥",
  cent: "¢",
  sect: "§",
  para: "¶",
  micro: "µ",
  larr: "←",
  rarr: "→",
  uarr: "↑",
  darr: "↓",
  harr: "↔",
  le: "≤",
  ge: "≥",
  ne: "≠",
  minus: "−",
  auml: "ä",
  ouml: "ö",
  uuml: "ü",
  Auml: "Ä",
  Ouml: "Ö",
  Uuml: "Ü",
  szlig: "ß",
  eacute: "é",
  egrave: "è",
  ecirc: "ê",
  aacute: "á",
  agrave: "à",
  acirc: "â",
  iacute: "í",
  oacute: "ó",
  uacute: "ú",
  ccedil: "ç",
  ntilde: "ñ",
  Eacute: "É",
  aring: "å",
  oslash: "ø",
  aelig: "æ",
};

export function decodeEntities(text: string): string {
  return text.replace(
    /&(#\d{1,8}|#[xX][0-9a-fA-F]{1,7}|[a-zA-Z][a-zA-Z0-9]{1,31});?/g,
    (whole, ref: string) => {
      if (ref[0] === "#") {
        const code =
          ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return "\uFFFD";
        return String.fromCodePoint(code);
      }
      return Object.hasOwn(NAMED, ref) ? NAMED[ref] : whole;
    },
  );
}

/** The document's `<title>`, if any. */
export function htmlTitle(html: string): string | undefined {
  const m = /<title[^>]*>([\s\S]*?)<\/title\s*>/i.exec(html);
  const title = m && decodeEntities(m[1]).replace(/\s+/g, " ").trim();
  return title || undefined;
}

export function htmlToText(html: string): string {
  const out: string[] = [];
  const preserved: string[] = [];
  const lists: { ordered: boolean; n: number }[] = [];
  let pre: string[] | undefined;
  let preDepth = 0;
  let cells = 0;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(html); m; m = TOKEN.exec(html)) {
    const [whole, cdata, closing, rawName, attrs] = m;
    if (rawName === undefined) {
      if (
        whole.startsWith("<!--") ||
        whole.startsWith("<?") ||
        (whole.startsWith("<!") && cdata === undefined)
      )
        continue;
      const text = cdata ?? decodeEntities(whole);
      if (pre) pre.push(text);
      else out.push(text.replace(/\s+/g, " "));
      continue;
    }
    const name = rawName.toLowerCase();
    const selfClosing = /\/\s*$/.test(attrs ?? "");
    if (!closing && SKIPPED.has(name) && !selfClosing) {
      // Skip to the matching end tag (raw text such as a script may contain anything).
      const end = new RegExp(`</${name}\\s*>`, "ig");
      end.lastIndex = TOKEN.lastIndex;
      const found = end.exec(html);
      TOKEN.lastIndex = found ? end.lastIndex : html.length;
      continue;
    }
    if (name === "pre") {
      if (!closing) {
        if (preDepth++ === 0) pre = [];
      } else if (preDepth > 0 && --preDepth === 0 && pre) {
        preserved.push(pre.join("").replace(/^\n/, "").replace(/\s+$/, ""));
        out.push(`\n\n\u0000${preserved.length - 1}\u0000\n\n`);
        pre = undefined;
      }
      continue;
    }
    if (pre) {
      if (name === "br") pre.push("\n");
      continue;
    }
    const heading = /^h([1-6])$/.exec(name);
    if (heading) out.push(closing ? "\n\n" : `\n\n${"#".repeat(Number(heading[1]))} `);
    else if (name === "br") out.push("\n");
    else if (name === "li") {
      if (!closing) {
        const list = lists[lists.length - 1];
        // \u0001 marks indentation, which the whitespace clean-up below would otherwise remove.
        const indent = "\u0001".repeat(Math.max(0, lists.length - 1));
        out.push(`\n${indent}${list?.ordered ? `${++list.n}.` : "-"} `);
      }
    } else if (name === "tr") {
      if (!closing) out.push("\n");
      cells = 0;
    } else if (name === "ul" || name === "ol") {
      if (closing) lists.pop();
      else lists.push({ ordered: name === "ol", n: 0 });
      if (lists.length === (closing ? 0 : 1)) out.push("\n\n"); // nested lists continue their item's lines
    } else if (name === "td" || name === "th") {
      if (!closing && cells++ > 0) out.push(" | ");
    } else if (BLOCKS.has(name)) out.push("\n\n");
  }
  const text = out
    .join("")
    .replace(/[ \t\u00a0]+/g, " ")
    .replace(/ *\n */g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .replace(/\u0001/g, "  ")
    .trim();
  return text.replace(/\u0000(\d+)\u0000/g, (_, i: string) => `\`\`\`\n${preserved[Number(i)]}\n\`\`\``);
}
