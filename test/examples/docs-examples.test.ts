import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import type { StepResult } from "../../src/workflow/index.js";
import { main as researchTeam } from "../../examples/teams/research-team.js";
import { main as articleWorkflow } from "../../examples/workflows/article-workflow.js";
import {
  main as orderWorkflow,
  orderWorkflow as makeOrderWorkflow,
} from "../../examples/workflows/order-workflow.js";

describe("the examples quoted in docs/", () => {
  it.each(["docs/teams.md", "docs/workflows.md"])("%s quotes its example files exactly", (doc) => {
    const text = readFileSync(doc, "utf8");
    const blocks = [...text.matchAll(/```ts file=(\S+)\n([\s\S]*?)```/g)];
    expect(blocks.length).toBeGreaterThan(0);
    for (const [, file, code] of blocks)
      expect(code, `${doc} quotes ${file}`).toBe(readFileSync(file, "utf8"));
  });

  it("research-team: the leader delegates to both members and answers from their results", async () => {
    const lines: string[] = [];
    const out = await researchTeam("How tall is the Eiffel Tower, and what is 330 * 3?", (l) =>
      lines.push(l),
    );
    expect(lines.slice(0, 2)).toEqual([
      "-> researcher: How tall is the Eiffel Tower, and what is 330 * 3?",
      "-> analyst: How tall is the Eiffel Tower, and what is 330 * 3?",
    ]);
    expect(lines).toContain("<- analyst: 330 * 3 = 990.");
    expect(out.status).toBe("COMPLETED");
    expect(out.content).toContain("330 metres tall");
    expect(out.content).toContain("analyst: 330 * 3 = 990.");
  });

  it("article-workflow: research, write, then a streamed format step", async () => {
    const lines: string[] = [];
    const out = await articleWorkflow("The Moon", (l) => lines.push(l));
    expect(lines.slice(0, 3)).toEqual(["step 0: research", "step 1: write", "step 2: format"]);
    expect(out.content).toMatch(/^# The Moon\n\n/);
    expect(out.content).toContain(
      "Sources: The lookup_fact tool returned: The Moon is on average 384,400 km from Earth.",
    );
  });

  it("order-workflow: every kind of control step, with a typed input", async () => {
    const out = await orderWorkflow(
      { items: [{ name: "tea", price: 4.5, qty: 2 }], country: "DE", coupon: "SAVE10" },
      () => {},
    );
    expect(out.content).toBe("Ship 1 item(s) by courier to DE; paid 8.1");
    const results = out.step_results as StepResult[];
    expect(results.map((r) => r.step_name)).toEqual([
      "total",
      "checks",
      "coupon",
      "payment",
      "shipping",
      "receipt",
    ]);
    expect(results[1].content).toEqual({ stock: true, fraud: "ok" });
    expect(results[3].steps!.map((r) => [r.iteration, (r.content as { ok: boolean }).ok])).toEqual([
      [1, false],
      [2, true],
    ]);
    const domestic = await makeOrderWorkflow()
      .run({ message: { items: [{ name: "pot", price: 30, qty: 1 }], country: "FR" } })
      .collect();
    expect(domestic.content).toBe("Ship 1 item(s) by post within France; paid 30");
    await expect(
      makeOrderWorkflow()
        .run({ message: { items: [], country: "FR" } })
        .collect(),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});
