import type { LanguageModelV3CallOptions } from "@ai-sdk/provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../src/agent/index.js";
import { ScriptedModel } from "../../src/model/scripted-model.js";
import { sse } from "../helpers/sse-client.js";
import { testOS } from "../helpers/test-os.js";
import type { TestOS } from "../helpers/test-os.js";

const N = 20;

/** Answers with every user message it was shown, in order, after a pause that lets runs overlap if they could. */
const historyEcho = new ScriptedModel({
  fallback: (call: LanguageModelV3CallOptions) => {
    const users = call.prompt
      .filter((m) => m.role === "user")
      .map((m) => (m.role === "user" && m.content[0]?.type === "text" ? m.content[0].text : "?"));
    return [{ delayMs: 5 }, { text: users.join(",") }];
  },
});
const slowSteps = (n: number, ms: number) =>
  Array.from({ length: n }, (_, i) => [{ text: `w${i} ` }, { delayMs: ms }]).flat();
const rejectModel = new ScriptedModel({ fallback: slowSteps(10, 50) });
const interruptModel = new ScriptedModel({ fallback: slowSteps(20, 50) });

let t: TestOS;
let base: string;
beforeAll(async () => {
  t = await testOS({
    agents: [
      new Agent({
        id: "queue",
        name: "Queue",
        model: historyEcho,
        addHistoryToContext: true,
        numHistoryRuns: 100,
      }),
      new Agent({ id: "reject", name: "Reject", model: rejectModel, concurrentRuns: "reject" }),
      new Agent({ id: "interrupt", name: "Interrupt", model: interruptModel, concurrentRuns: "interrupt" }),
    ],
  });
  base = await t.listen();
});
afterAll(() => t.cleanup());

const run = (agent: string, payload: Record<string, unknown>) =>
  t.inject({ method: "POST", url: `/agents/${agent}/runs`, payload });
const runsOf = async (agent: string, session: string) =>
  (await t.inject({ method: "GET", url: `/agents/${agent}/runs?session_id=${session}` })).json().runs;

async function settled(agent: string, session: string, count: number) {
  for (let i = 0; i < 400; i++) {
    const runs = await runsOf(agent, session);
    if (
      runs.length === count &&
      runs.every((r: { status: string }) => !["PENDING", "RUNNING"].includes(r.status))
    )
      return runs;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("runs did not settle");
}

describe(`${N} concurrent runs on one session`, () => {
  it("queue: all complete, one after another; each run's history is exactly the runs before it, in order", async () => {
    const session = "queue-session";
    const answers = await Promise.all(
      Array.from({ length: N }, (_, i) => run("queue", { message: `m${i}`, session_id: session })),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(Array(N).fill(200));
    const runs = await runsOf("queue", session);
    expect(runs).toHaveLength(N);
    // In the order they ran, run k saw the messages of runs 1..k-1 and then its own.
    const order: string[] = runs.map((r: { messages: { content: string }[] }) => r.messages[0].content);
    runs.forEach((r: { status: string; content: string; messages: unknown[] }, k: number) => {
      expect(r.status).toBe("COMPLETED");
      expect(r.content).toBe(order.slice(0, k + 1).join(","));
      // Its stored messages are its own, never another run's.
      expect(r.messages).toEqual([
        { role: "user", content: order[k] },
        { role: "assistant", content: order.slice(0, k + 1).join(",") },
      ]);
    });
    expect(new Set(order).size).toBe(N);
    const session_ = (await t.inject({ method: "GET", url: `/sessions/${session}` })).json();
    expect(session_.message_count).toBe(2 * N);
  });

  it("reject: every run that arrives while one is live is refused with 409 and stores nothing", async () => {
    const first = await sse(`${base}/agents/reject/runs`, {
      method: "POST",
      body: JSON.stringify({ message: "first", stream: true, session_id: "reject-session" }),
      headers: { "content-type": "application/json" },
    });
    await first.waitFor(1);
    const refused = await Promise.all(
      Array.from({ length: N - 1 }, (_, i) =>
        run("reject", { message: `m${i}`, session_id: "reject-session", background: i % 2 === 0 }),
      ),
    );
    for (const r of refused) {
      expect(r.statusCode).toBe(409);
      expect(r.json()).toEqual({ detail: "Session 'reject-session' already has a run in progress" });
    }
    await first.done;
    expect(first.events.at(-1)!.event).toBe("RunCompleted");
    const runs = await runsOf("reject", "reject-session");
    expect(runs.map((r: { status: string }) => r.status)).toEqual(["COMPLETED"]);
    // Once the live run has ended, the session takes a new one.
    expect((await run("reject", { message: "later", session_id: "reject-session" })).statusCode).toBe(200);
  });

  it("interrupt: each new run cancels the ones before it; the last completes, earlier ones end CANCELLED", async () => {
    const session = "interrupt-session";
    const calls = interruptModel.calls.length;
    const answers = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        run("interrupt", { message: `m${i}`, session_id: session, background: true }),
      ),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(Array(N).fill(202));
    const runs = await settled("interrupt", session, N);
    const completed = runs.filter((r: { status: string }) => r.status === "COMPLETED");
    expect(completed).toHaveLength(1);
    expect(runs.filter((r: { status: string }) => r.status === "CANCELLED")).toHaveLength(N - 1);
    expect(completed[0].error).toBeNull();
    for (const r of runs.filter((x: { status: string }) => x.status === "CANCELLED"))
      expect(r.error).toBe("Interrupted by a newer run on the same session");
    // Runs interrupted while they waited for their turn never called the model.
    expect(interruptModel.calls.length - calls).toBeLessThan(N);
  });

  it("interrupt, one request after another: the last one completes and a streaming client of an earlier one sees RunCancelled", async () => {
    const session = "interrupt-sequential";
    const first = await sse(`${base}/agents/interrupt/runs`, {
      method: "POST",
      body: JSON.stringify({ message: "first", stream: true, session_id: session }),
      headers: { "content-type": "application/json" },
    });
    await first.waitFor(1);
    const ids: string[] = [first.events[0].data.run_id];
    for (let i = 0; i < N - 1; i++)
      ids.push(
        (await run("interrupt", { message: `m${i}`, session_id: session, background: true })).json().run_id,
      );
    await first.done;
    expect(first.events.map((e) => e.event).slice(-2)).toEqual(["RunCancelled", "RunCompleted"]);
    const runs = await settled("interrupt", session, N);
    const status = new Map(runs.map((r: { run_id: string; status: string }) => [r.run_id, r.status]));
    expect(ids.map((id) => status.get(id))).toEqual([...Array(N - 1).fill("CANCELLED"), "COMPLETED"]);
  });
});
