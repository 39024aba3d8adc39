import { NotFoundError } from "../errors.js";
import type { ComponentKind, Runnable } from "../run/index.js";

const LABEL: Record<ComponentKind, string> = { agent: "Agent", team: "Team", workflow: "Workflow" };

/** The agents, teams and workflows of one OS, by kind and id. */
export class ComponentRegistry {
  readonly #byKind: Record<ComponentKind, Map<string, Runnable>> = {
    agent: new Map(),
    team: new Map(),
    workflow: new Map(),
  };

  constructor(components: Iterable<Runnable>) {
    for (const c of components) {
      const map = this.#byKind[c.kind];
      if (map.has(c.id)) throw new TypeError(`Two ${c.kind}s have the id '${c.id}'`);
      map.set(c.id, c);
    }
  }

  list(kind: ComponentKind): Runnable[] {
    return [...this.#byKind[kind].values()];
  }

  all(): Runnable[] {
    return [...this.list("agent"), ...this.list("team"), ...this.list("workflow")];
  }

  find(kind: ComponentKind, id: string): Runnable | undefined {
    return this.#byKind[kind].get(id);
  }

  /** The component, or NotFoundError "Agent with id 'x' not found". */
  get(kind: ComponentKind, id: string): Runnable {
    const c = this.find(kind, id);
    if (!c) throw new NotFoundError(`${LABEL[kind]} with id '${id}' not found`, kind);
    return c;
  }

  count(kind: ComponentKind): number {
    return this.#byKind[kind].size;
  }
}
