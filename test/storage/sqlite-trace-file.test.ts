import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteDb } from "../../src/storage/index.js";
import type { SpanRow, TraceRecord } from "../../src/storage/index.js";
import { traceFileOf } from "../../src/storage/sqlite/trace-file-name.js";
import { kyselyOf } from "../helpers/temp-store.js";

const trace = (n: number): TraceRecord => ({
  trace_id: `${n}`.padStart(32, "a"),
  name: "agent.run a",
  status: "OK",
  start_time: Date.UTC(2030, 0, 1) * 1000 + n,
  end_time: Date.UTC(2030, 0, 1) * 1000 + n + 10,
  run_id: `run-${n}`,
  session_id: "s",
  component_kind: "agent",
  agent_id: "a",
  team_id: null,
  workflow_id: null,
  user_id: "u",
});
const span = (t: TraceRecord): SpanRow => ({
  trace_id: t.trace_id,
  span_id: t.trace_id.slice(0, 16),
  parent_span_id: null,
  name: t.name,
  kind: "INTERNAL",
  start_time: t.start_time,
  end_time: t.end_time,
  status: "OK",
  status_message: null,
  attributes: JSON.stringify({ "agentos.run_id": t.run_id }),
});

function count(file: string, table: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe("SQLite's trace file", () => {
  let dir = "";
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("is named beside the OS file; a store in memory keeps its traces in itself", () => {
    expect(traceFileOf("data/agentos.db")).toBe("data/agentos.traces.db");
    expect(traceFileOf("/srv/os.sqlite3")).toBe("/srv/os.traces.sqlite3");
    expect(traceFileOf("./v1.2/agentos")).toBe("./v1.2/agentos.traces");
    expect(new SqliteDb({ file: "x/agentos.db" }).tracesFile).toBe("x/agentos.traces.db");
    expect(new SqliteDb({ file: "x/agentos.db", tracesFile: "y/t.db" }).tracesFile).toBe("y/t.db");
    expect(new SqliteDb({ file: ":memory:" }).tracesFile).toBeUndefined();
  });

  it("holds what is written, not the OS file; it opens again after a close", async () => {
    dir = mkdtempSync(join(tmpdir(), "agentos-traces-"));
    const db = new SqliteDb({ file: join(dir, "agentos.db") });
    await db.migrate();
    await db.traces.write({ traces: [trace(1)], spans: [span(trace(1))] });
    expect(count(join(dir, "agentos.traces.db"), "spans")).toBe(1);
    expect(count(join(dir, "agentos.db"), "spans")).toBe(0);
    await db.close();

    await db.traces.write({ traces: [trace(2)], spans: [span(trace(2))] });
    expect((await db.traces.list({ limit: 10 })).traces.map((t) => t.run_id)).toEqual(["run-2", "run-1"]);
    await db.close();
  });

  it("takes in the traces an earlier version stored in the OS file, once", async () => {
    dir = mkdtempSync(join(tmpdir(), "agentos-traces-"));
    const file = join(dir, "agentos.db");
    const before = new SqliteDb({ file });
    await before.migrate();
    const os = await kyselyOf(before);
    const old = [trace(1), trace(2)];
    await os.insertInto("traces").values(old).execute();
    await os.insertInto("spans").values(old.map(span)).execute();
    await before.close();
    rmSync(traceFileOf(file)); // as if that version had made none

    const after = new SqliteDb({ file });
    await after.migrate();
    expect((await after.traces.list({ limit: 10 })).traces).toEqual([old[1], old[0]]);
    expect(await after.traces.spans([old[0]!.trace_id])).toEqual([
      { ...span(old[0]!), attributes: { "agentos.run_id": "run-1" } },
    ]);
    expect(count(file, "traces") + count(file, "spans")).toBe(0);
    await after.close();

    const again = new SqliteDb({ file });
    await again.migrate();
    expect((await again.traces.list({ limit: 10 })).traces).toHaveLength(2);
    await again.close();
  });
});
