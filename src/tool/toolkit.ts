import type { Tool } from "./tool.js";

/** A named group of tools, listed under its name and expanded when a model sees them. */
export interface Toolkit {
  readonly kind: "toolkit";
  readonly name: string;
  readonly tools: readonly Tool[];
}

export function toolkit(name: string, tools: Tool[]): Toolkit {
  return { kind: "toolkit", name, tools };
}

export type ToolLike = Tool | Toolkit;

/** Flattens tools and toolkits; later duplicates of a name are an error the developer must see. */
export function flattenTools(items: readonly ToolLike[]): Tool[] {
  const out: Tool[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    for (const t of item.kind === "toolkit" ? item.tools : [item]) {
      if (seen.has(t.name)) throw new TypeError(`Two tools are named '${t.name}'`);
      seen.add(t.name);
      out.push(t);
    }
  }
  return out;
}
