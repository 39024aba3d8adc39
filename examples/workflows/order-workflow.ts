/**
 * Control flow with function steps only: a typed input, parallel checks, a condition, a loop
 * with a stop predicate, a router and a retried step. No model involved.
 *
 *   npx tsx examples/workflows/order-workflow.ts
 */
import { pathToFileURL } from "node:url";
import { z } from "zod";
import type { StepInput } from "../../src/index.js";
import { Workflow, condition, loop, parallel, router, step } from "../../src/index.js";

const Order = z.object({
  items: z
    .array(z.object({ name: z.string(), price: z.number().positive(), qty: z.number().int().positive() }))
    .min(1),
  country: z.string().length(2),
  coupon: z.string().optional(),
});
type Order = z.infer<typeof Order>;
const order = (s: StepInput) => s.input as Order;

interface Charge {
  ok: boolean;
  amount: number;
  attempt: number;
}

/** A pretend payment gateway that declines the first attempt: the loop below tries again. */
function charge(s: StepInput): Charge {
  const attempt = ((s.outputs.charge as Charge | undefined)?.attempt ?? 0) + 1;
  return { ok: attempt > 1, amount: (s.outputs.discount ?? s.outputs["full-price"]) as number, attempt };
}

export function orderWorkflow() {
  return new Workflow({
    name: "Order",
    inputSchema: Order,
    steps: [
      step({ name: "total", run: (s) => order(s).items.reduce((sum, i) => sum + i.price * i.qty, 0) }),
      // Both checks run at the same time; the output is { stock: ..., fraud: ... }.
      parallel({
        name: "checks",
        steps: [
          step({ name: "stock", run: (s) => order(s).items.every((i) => i.qty <= 10) }),
          step({ name: "fraud", run: (s) => ((s.outputs.total as number) > 1000 ? "review" : "ok") }),
        ],
      }),
      condition({
        name: "coupon",
        when: (s) => order(s).coupon === "SAVE10",
        steps: [step({ name: "discount", run: (s) => Math.round((s.outputs.total as number) * 90) / 100 })],
        elseSteps: [step({ name: "full-price", run: (s) => s.outputs.total })],
      }),
      // Try to charge until the gateway accepts, at most three times.
      loop({
        name: "payment",
        maxIterations: 3,
        steps: [step({ name: "charge", run: charge })],
        until: (s) => (s.previousOutput as Charge).ok,
      }),
      router({
        name: "shipping",
        choices: [
          step({
            name: "domestic",
            run: (s) => `Ship ${order(s).items.length} item(s) by post within France`,
          }),
          step({
            name: "international",
            run: (s) => `Ship ${order(s).items.length} item(s) by courier to ${order(s).country}`,
          }),
        ],
        select: (s) => (order(s).country === "FR" ? "domestic" : "international"),
      }),
      // A step that may fail now and then can be retried.
      step({
        name: "receipt",
        retries: 2,
        run: (s) => `${String(s.previousOutput)}; paid ${(s.outputs.charge as Charge).amount}`,
      }),
    ],
  });
}

export async function main(input: unknown, log: (line: string) => void = console.log) {
  const output = await orderWorkflow().run({ message: input }).collect();
  log(String(output.content));
  return output;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href)
  await main({ items: [{ name: "tea", price: 4.5, qty: 2 }], country: "DE", coupon: "SAVE10" });
