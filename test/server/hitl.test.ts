import type { LanguageModelV3CallOptions } from "@ai-sdk/provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { Agent } from "../../src/agent/index.js";
import { ScriptedModel } from "../../src/model/scripted-model.js";
import type { ScriptStep } from "../../src/model/scripted-model.js";
import type { AgentOSOptions } from "../../src/os/index.js";
import { tool } from "../../src/tool/index.js";
import { sse } from "../helpers/sse-client.js";
import { testOS } from "../helpers/test-os.js";
import type { TestOS } from "../helpers/test-os.js";

const executed: { tool: string; args: unknown }[] = [];
const deleteFile = tool({
  name: "delete_file",
  description: "Deletes a file",
  input: z.object({ path: z.string() }),
  requiresConfirmation: true,
  execute: ({ path }) => {
    executed.push({ tool: "delete_file", args: { path } });
    return `deleted ${path}`;
  },
});
const bookFlight = tool({
  name: "book_flight",
  description: "Books a flight",
  input: z.object({ destination: z.string(), seat: z.string().describe("Seat, e.g. 12A") }),
  requiresUserInput: true,
  userInputFields: ["seat"],
  execute: (args) => {
    executed.push({ tool: "book_flight", args });
    return `booked ${args.destination} seat ${args.seat}`;
  },
});
const lookupSecret = tool({
  name: "lookup_secret",
  description: "Looks a secret up (the caller does it)",
  input: z.object({ key: z.string() }),
  externalExecution: true,
  execute: () => {
    throw new Error("runs outside the server");
  },
});
const add = tool({
  name: "add",
  description: "Adds",
  input: z.object({ a: z.number(), b: z.number() }),
  execute: ({ a, b }) => a + b,
});

/** Calls the tool the message names; once tool results are in, answers with all of them. */
function toolModel() {
  return new ScriptedModel({
    fallback: (call: LanguageModelV3CallOptions): string | ScriptStep[] => {
      const last = call.prompt.at(-1)!;
      if (last.role === "tool") {
        const results = call.prompt
          .filter((m) => m.role === "tool")
          .flatMap((m) => (m.role === "tool" ? m.content : []))
          .map((p) => (p.type === "tool-result" && "value" in p.output ? String(p.output.value) : ""));
        return `done: ${results.join(" | ")}`;
      }
      const text = JSON.stringify(last.content);
      const steps: ScriptStep[] = [];
      if (text.includes("sum")) steps.push({ toolCall: { name: "add", args: { a: 2, b: 3 } } });
      if (text.includes("delete"))
        steps.push({ toolCall: { name: "delete_file", args: { path: "/tmp/x" } } });
      if (text.includes("book"))
        steps.push({ toolCall: { name: "book_flight", args: { destination: "Lima" } } });
      if (text.includes("secret")) steps.push({ toolCall: { name: "lookup_secret", args: { key: "k1" } } });
      return steps.length ? steps : "nothing to do";
    },
  });
}

const components = (): AgentOSOptions => ({
  agents: [
    new Agent({
      id: "ops",
      name: "Ops",
      model: toolModel(),
      tools: [deleteFile, bookFlight, lookupSecret, add],
    }),
    new Agent({
      id: "strict",
      name: "Strict",
      model: toolModel(),
      tools: [deleteFile],
      concurrentRuns: "reject",
    }),
  ],
});

let t: TestOS;
let base: string;
beforeAll(async () => {
  t = await testOS(components());
  base = await t.listen();
});
afterAll(() => t.cleanup());

const post = (url: string, payload: unknown) => t.inject({ method: "POST", url, payload: payload as object });

async function pause(message: string, agent = "ops", extra: Record<string, unknown> = {}) {
  const r = await post(`/agents/${agent}/runs`, { message, ...extra });
  expect(r.statusCode).toBe(200);
  const body = r.json();
  expect(body.status).toBe("PAUSED");
  return body;
}
const pending = (run: { tools: any[] }) => run.tools.filter((x) => x.result === null);

describe("confirmation", () => {
  it("pauses with RunPaused carrying the tool; confirmed, the tool runs and the run completes", async () => {
    const c = await sse(`${base}/agents/ops/runs`, {
      method: "POST",
      body: JSON.stringify({ message: "please delete it", stream: true }),
      headers: { "content-type": "application/json" },
    });
    await c.done;
    const paused = c.events.at(-1)!;
    expect(paused.event).toBe("RunPaused");
    expect(c.events.filter((e) => e.event === "RunPaused")).toHaveLength(1);
    const [toolCall] = paused.data.tools;
    expect(toolCall).toMatchObject({
      tool_name: "delete_file",
      tool_args: { path: "/tmp/x" },
      requires_confirmation: true,
      confirmed: null,
      result: null,
      requires_user_input: null,
      external_execution_required: null,
    });
    const runId = paused.data.run_id;
    const stored = (await t.inject({ method: "GET", url: `/agents/ops/runs/${runId}` })).json();
    expect(stored.status).toBe("PAUSED");
    expect(executed.filter((e) => e.tool === "delete_file")).toHaveLength(0);

    const before = executed.length;
    const r = await post(`/agents/ops/runs/${runId}/continue`, {
      tools: JSON.stringify([{ ...toolCall, confirmed: true }]),
    });
    expect(r.statusCode).toBe(200);
    const done = r.json();
    expect(done).toMatchObject({ status: "COMPLETED", content: "done: deleted /tmp/x" });
    expect(executed.slice(before)).toEqual([{ tool: "delete_file", args: { path: "/tmp/x" } }]);
    expect(done.tools[0]).toMatchObject({
      tool_call_id: toolCall.tool_call_id,
      confirmed: true,
      result: "deleted /tmp/x",
    });
    expect(done.messages.map((m: { role: string }) => m.role)).toEqual([
      "user",
      "assistant",
      "tool",
      "assistant",
    ]);
    const session = (await t.inject({ method: "GET", url: `/sessions/${done.session_id}` })).json();
    expect(session.message_count).toBe(2);
  });

  it("a rejection is reported to the model with the note, and the tool never runs", async () => {
    const run = await pause("delete please");
    const before = executed.length;
    const r = await post(`/agents/ops/runs/${run.run_id}/continue`, {
      tools: [{ ...pending(run)[0], confirmed: false, confirmation_note: "keep that file" }],
    });
    expect(r.json().status).toBe("COMPLETED");
    expect(r.json().content).toBe(
      "done: The user rejected this tool call; it did not run. Their note: keep that file",
    );
    expect(executed.length).toBe(before);
    expect(r.json().tools[0]).toMatchObject({ confirmed: false, confirmation_note: "keep that file" });
  });

  it("a tool that needs no user runs right away; the run pauses only for the one that does", async () => {
    const run = await pause("sum and delete");
    expect(run.tools.map((x: any) => [x.tool_name, x.result])).toEqual([
      ["add", "5"],
      ["delete_file", null],
    ]);
    const r = await post(`/agents/ops/runs/${run.run_id}/continue`, {
      tools: [{ tool_call_id: pending(run)[0].tool_call_id, confirmed: true }],
    });
    expect(r.json().content).toBe("done: 5 | deleted /tmp/x");
  });
});

describe("user input and external execution", () => {
  it("asks for the user's fields; the tool runs with them", async () => {
    const run = await pause("book me");
    expect(pending(run)[0]).toMatchObject({
      tool_name: "book_flight",
      requires_user_input: true,
      user_input_schema: [{ name: "seat", field_type: "str", description: "Seat, e.g. 12A", value: null }],
    });
    const r = await post(`/agents/ops/runs/${run.run_id}/continue`, {
      tools: [{ ...pending(run)[0], user_input_schema: [{ name: "seat", value: "12A" }] }],
    });
    expect(r.json()).toMatchObject({ status: "COMPLETED", content: "done: booked Lima seat 12A" });
    expect(r.json().tools[0]).toMatchObject({
      answered: true,
      tool_args: { destination: "Lima", seat: "12A" },
    });
  });

  it("a missing or invalid value is refused (400, 422) and the run stays paused", async () => {
    const run = await pause("book again");
    const missing = await post(`/agents/ops/runs/${run.run_id}/continue`, { tools: [pending(run)[0]] });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().detail).toMatch(/needs a value for the field 'seat'/);
    const invalid = await post(`/agents/ops/runs/${run.run_id}/continue`, {
      tools: [{ ...pending(run)[0], user_input_schema: [{ name: "seat", value: 12 }] }],
    });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json().detail[0].loc).toEqual(["body", "tools", 0, "user_input_schema", "seat"]);
    expect((await t.inject({ method: "GET", url: `/agents/ops/runs/${run.run_id}` })).json().status).toBe(
      "PAUSED",
    );
    const ok = await post(`/agents/ops/runs/${run.run_id}/continue`, {
      tools: [{ ...pending(run)[0], user_input_schema: [{ name: "seat", value: "1C" }] }],
    });
    expect(ok.json().status).toBe("COMPLETED");
  });

  it("an external tool's result comes from the caller; streamed, the continue starts with RunContinued", async () => {
    const run = await pause("get the secret");
    expect(pending(run)[0]).toMatchObject({ tool_name: "lookup_secret", external_execution_required: true });
    const before = await sse(`${base}/agents/ops/runs/${run.run_id}/events`);
    await before.done;
    const pauseIndex = Number(before.events.at(-1)!.id);
    expect(before.events.at(-1)!.event).toBe("RunPaused");

    const c = await sse(`${base}/agents/ops/runs/${run.run_id}/continue`, {
      method: "POST",
      body: new URLSearchParams({
        tools: JSON.stringify([{ ...pending(run)[0], result: { value: 42 } }]),
        stream: "true",
      }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    await c.done;
    expect(c.events[0]).toMatchObject({ event: "RunContinued", id: String(pauseIndex + 1) });
    expect(c.events.map((e) => e.event)).toContain("ToolCallCompleted");
    expect(c.events.at(-1)!.data).toMatchObject({ event: "RunCompleted", content: 'done: {"value":42}' });
    expect(c.events.map((e) => Number(e.id))).toEqual(c.events.map((_, i) => pauseIndex + 1 + i));

    // The whole stream replays in order: up to RunPaused, RunContinued, on to RunCompleted.
    const all = await sse(`${base}/agents/ops/runs/${run.run_id}/events`);
    await all.done;
    expect(all.events.map((e) => Number(e.id))).toEqual(all.events.map((_, i) => i));
    expect(all.events.map((e) => e.event)).toEqual([
      ...before.events.map((e) => e.event),
      ...c.events.map((e) => e.event),
    ]);
  });
});

describe("continue requests", () => {
  it("refuses a run that is not paused (409), an unknown run (404), and resolutions that do not fit", async () => {
    const done = (await post("/agents/ops/runs", { message: "hello" })).json();
    const notPaused = await post(`/agents/ops/runs/${done.run_id}/continue`, { tools: [] });
    expect(notPaused.statusCode).toBe(409);
    expect(notPaused.json().detail).toMatch(/is not paused \(status COMPLETED\)/);
    expect((await post(`/agents/ops/runs/nope/continue`, { tools: "[]" })).statusCode).toBe(404);

    const run = await pause("delete");
    const url = `/agents/ops/runs/${run.run_id}/continue`;
    const noTools = await post(url, {});
    expect(noTools.statusCode).toBe(422);
    expect(noTools.json().detail[0]).toMatchObject({ loc: ["body", "tools"], type: "missing" });
    const notJson = await t.inject({
      method: "POST",
      url,
      payload: "tools=%5Bnope",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(notJson.statusCode).toBe(422);
    const unknown = await post(url, { tools: [{ tool_call_id: "other", confirmed: true }] });
    expect(unknown.statusCode).toBe(400);
    const unresolved = await post(url, { tools: [{ tool_call_id: pending(run)[0].tool_call_id }] });
    expect(unresolved.statusCode).toBe(400);
    expect(unresolved.json().detail).toMatch(/"confirmed": true or false/);
    const otherSession = await post(url, {
      tools: [{ ...pending(run)[0], confirmed: true }],
      session_id: "another-session",
    });
    expect(otherSession.statusCode).toBe(404);
    expect((await t.inject({ method: "GET", url: `/agents/ops/runs/${run.run_id}` })).json().status).toBe(
      "PAUSED",
    );
  });

  it("of two concurrent continues exactly one wins; the other is 409", async () => {
    const run = await pause("delete");
    const body = { tools: [{ ...pending(run)[0], confirmed: true }] };
    const before = executed.length;
    const results = await Promise.all(
      [0, 1, 2].map(() => post(`/agents/ops/runs/${run.run_id}/continue`, body)),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409, 409]);
    expect(executed.length - before).toBe(1);
  });

  it("a paused run does not hold its session: another run of the session starts at once, even under reject", async () => {
    const run = await pause("delete", "strict");
    const next = await post("/agents/strict/runs", { message: "hello", session_id: run.session_id });
    expect(next.statusCode).toBe(200);
    expect(next.json().status).toBe("COMPLETED");
  });

  it("cancelling a paused run ends it CANCELLED; it can no longer be continued; its replay ends RunCancelled, RunCompleted", async () => {
    const run = await pause("delete");
    const cancel = await post(`/agents/ops/runs/${run.run_id}/cancel`, {});
    expect(cancel.json()).toEqual({ run_id: run.run_id, status: "CANCELLED" });
    const again = await post(`/agents/ops/runs/${run.run_id}/continue`, {
      tools: [{ ...pending(run)[0], confirmed: true }],
    });
    expect(again.statusCode).toBe(409);
    const replay = await sse(`${base}/agents/ops/runs/${run.run_id}/events`);
    await replay.done;
    expect(replay.events.map((e) => e.event).slice(-3)).toEqual([
      "RunPaused",
      "RunCancelled",
      "RunCompleted",
    ]);
    expect(replay.events.map((e) => Number(e.id))).toEqual(replay.events.map((_, i) => i));
  });
});

it("a paused run survives a restart and is continued by the next process", async () => {
  const first = await testOS(components());
  const file = first.db.file;
  const run = (
    await first.inject({ method: "POST", url: "/agents/ops/runs", payload: { message: "delete" } })
  ).json();
  expect(run.status).toBe("PAUSED");
  await first.os.close();
  const second = await testOS(components(), file);
  try {
    const r = await second.inject({
      method: "POST",
      url: `/agents/ops/runs/${run.run_id}/continue`,
      payload: { tools: [{ ...pending(run)[0], confirmed: true }] },
    });
    expect(r.json()).toMatchObject({ status: "COMPLETED", content: "done: deleted /tmp/x" });
  } finally {
    await second.cleanup();
    await first.cleanup();
  }
});

it("two processes' worth of servers on one database: of two concurrent continues one wins (the store decides)", async () => {
  const a = await testOS(components());
  const b = await testOS(components(), a.db.file);
  try {
    const run = (
      await a.inject({ method: "POST", url: "/agents/ops/runs", payload: { message: "delete" } })
    ).json();
    const payload = { tools: [{ ...pending(run)[0], confirmed: true }] };
    const url = `/agents/ops/runs/${run.run_id}/continue`;
    const [ra, rb] = await Promise.all([
      a.inject({ method: "POST", url, payload }),
      b.inject({ method: "POST", url, payload }),
    ]);
    expect([ra.statusCode, rb.statusCode].sort()).toEqual([200, 409]);
    expect((ra.statusCode === 409 ? ra : rb).json().detail).toMatch(/is not paused/);
  } finally {
    await b.os.close();
    await a.cleanup();
    await b.cleanup();
  }
});
