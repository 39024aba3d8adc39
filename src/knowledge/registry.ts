import { NotFoundError } from "../errors.js";
import type { Store } from "../storage/index.js";
import { Knowledge } from "./knowledge.js";
import type { KnowledgeBase } from "./knowledge-base.js";

/** The knowledge bases of one OS, by id, each bound to its store (its own db, else the OS's). */
export class KnowledgeRegistry {
  readonly #byId = new Map<string, KnowledgeBase>();

  constructor(knowledge: Iterable<Knowledge>, fallback: Store) {
    for (const k of knowledge) {
      const seen = this.#byId.get(k.id);
      if (seen && seen.knowledge !== k) throw new TypeError(`Two knowledge bases have the id '${k.id}'`);
      this.#byId.set(k.id, k.on(fallback));
    }
  }

  /** Knowledge given to the OS, plus that attached to its components (agents, teams) via their `knowledge`. */
  static discover(explicit: Iterable<Knowledge>, components: Iterable<unknown>): Knowledge[] {
    const found = [...explicit];
    for (const c of components) {
      const k = (c as { knowledge?: unknown }).knowledge;
      if (k instanceof Knowledge) found.push(k);
    }
    return found;
  }

  get size(): number {
    return this.#byId.size;
  }

  list(): KnowledgeBase[] {
    return [...this.#byId.values()];
  }

  /** The knowledge base, or NotFoundError "Knowledge base with id 'x' not found". */
  get(id: string): KnowledgeBase {
    const base = this.#byId.get(id);
    if (!base) throw new NotFoundError(`Knowledge base with id '${id}' not found`, "knowledge");
    return base;
  }

  /** The distinct stores the knowledge bases live in. */
  stores(): Store[] {
    return [...new Set(this.list().map((b) => b.store))];
  }
}
