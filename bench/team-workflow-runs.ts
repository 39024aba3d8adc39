/**
 * Runs per second of a coordinate team (a leader and two members) and of a three-step workflow,
 * against a single agent, all with instant scripted models and SQLite persistence, in process
 * (no HTTP): what teams and workflows cost on top of the runs they are made of.
 * Run: node --import tsx bench/team-workflow-runs.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent } from "../src/agent/index.js";
import { ScriptedModel } from "../src/model/scripted-model.js";
import type { Runnable } from "../src/run/index.js";
import { SqliteDb } from "../src/storage/index.js";
import { Team } from "../src/team/index.js";
import { Workflow, step } from "../src/workflow/index.js";

const reply = "The quick brown fox jumps over the lazy dog.";
const agent = (id: string) => new Agent({ id, name: id, model: ScriptedModel.reply(reply) });
const leader = new ScriptedModel({
  fallback: (call) =>
    call.prompt.at(-1)?.role === "tool"
      ? reply
      : [
          { toolCall: { name: "delegate_task_to_member", args: { member_id: "a", task: "x" } } },
          { toolCall: { name: "delegate_task_to_member", args: { member_id: "b", task: "y" } } },
        ],
});

async function runsPerSecond(component: Runnable, db: SqliteDb, seconds: number, concurrency = 50) {
  let done = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const out = await component.run("hello", { store: db }).collect();
        if (out.status !== "COMPLETED") throw new Error(`run ended ${out.status}: ${out.error}`);
        done++;
      }
    }),
  );
  return done / seconds;
}

export async function measureTeamWorkflow(seconds = 5) {
  const dir = mkdtempSync(join(tmpdir(), "agentos-bench-"));
  const db = new SqliteDb({ file: join(dir, "bench.db") });
  await db.migrate();
  try {
    const single = agent("single");
    const team = new Team({ name: "Team", model: leader, members: [agent("a"), agent("b")] });
    const workflow = new Workflow({
      name: "Workflow",
      steps: [
        step({ name: "first", agent: agent("w1") }),
        step({ name: "second", agent: agent("w2") }),
        step({ name: "count", run: (s) => String(s.previousOutput).length }),
      ],
    });
    await runsPerSecond(single, db, 1); // warm up
    return {
      agent: await runsPerSecond(single, db, seconds),
      team: await runsPerSecond(team, db, seconds),
      workflow: await runsPerSecond(workflow, db, seconds),
    };
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await measureTeamWorkflow();
  console.log(
    `in-process runs/s with SQLite (50 at a time): agent ${Math.round(r.agent)}, ` +
      `team of 2 (3 runs, 2 leader requests) ${Math.round(r.team)}, workflow of 3 steps (3 runs) ${Math.round(r.workflow)}`,
  );
}
