import { afterAll, beforeAll, expect, it } from "vitest";
import { testOS } from "../../helpers/test-os.js";
import type { TestOS } from "../../helpers/test-os.js";
import { agnoComponents } from "./agno-fixture.js";

/**
 * Agno's chat UI, played over a real socket with fetch: the requests it makes, in its order, from
 * its origin, with a multipart FormData run and a history read while the run still streams.
 */
let t: TestOS;
let api: string;
beforeAll(async () => {
  t = await testOS(agnoComponents());
  api = `${await t.listen()}/agno`;
});
afterAll(() => t.cleanup());

const origin = "http://localhost:3000";
const getJson = async (path: string): Promise<{ status: number; body: any }> => {
  const r = await fetch(`${api}${path}`, { headers: { origin } });
  expect(r.headers.get("access-control-allow-origin"), path).toBe(origin);
  return { status: r.status, body: r.status === 204 ? undefined : await r.json() };
};

/** Reads an SSE response the way the UI does: splitting frames as chunks arrive. */
async function* frames(body: ReadableStream<Uint8Array>) {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let at: number;
    while ((at = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, at);
      buffer = buffer.slice(at + 2);
      const data = block.split("\n").find((l) => l.startsWith("data: "));
      if (data) yield JSON.parse(data.slice(6)) as Record<string, unknown>;
    }
  }
}

it("plays the chat UI's sequence: health, teams, agents, sessions, run stream, mid-run history, list, delete", async () => {
  expect(await getJson("/health")).toMatchObject({ status: 200, body: { status: "ok" } });
  const teams = await getJson("/teams");
  expect(teams.body.map((x: { id: string }) => x.id)).toEqual(["crew"]);
  const agents = await getJson("/agents");
  const agent = agents.body.find((a: { id: string }) => a.id === "slow");
  expect(agent).toMatchObject({ db_id: t.db.id, model: { provider: "scripted" } });

  const sessionsUrl = `/sessions?type=agent&component_id=slow&db_id=${agent.db_id}`;
  expect((await getJson(sessionsUrl)).body).toMatchObject({ data: [], meta: { total_count: 0 } });

  // A new chat: no session_id yet, stream=true, FormData body.
  const fd = new FormData();
  fd.append("message", "Tell me a story");
  fd.append("stream", "true");
  fd.append("session_id", "");
  const run = await fetch(`${api}/agents/slow/runs`, { method: "POST", body: fd, headers: { origin } });
  expect(run.status).toBe(200);
  expect(run.headers.get("content-type")).toContain("text/event-stream");
  expect(run.headers.get("access-control-allow-origin")).toBe(origin);

  const seen: Record<string, unknown>[] = [];
  let midRun: { status: number; body: any } | undefined;
  for await (const ev of frames(run.body!)) {
    seen.push(ev);
    if (ev.event === "RunStarted") {
      await new Promise((r) => setTimeout(r, 30));
      midRun = await getJson(`/sessions/${String(ev.session_id)}/runs?type=agent&db_id=${agent.db_id}`);
    }
  }
  const started = seen[0];
  expect(started.event).toBe("RunStarted");
  // Agno allows 404 here; this OS always has the run, and shows it live with its content so far.
  expect(midRun).toEqual({
    status: 200,
    body: [
      expect.objectContaining({
        run_id: started.run_id,
        run_input: "Tell me a story",
        status: "RUNNING",
        content: "one ",
      }),
    ],
  });
  expect(seen.at(-1)).toMatchObject({ event: "RunCompleted", content: "one two three" });

  const listed = await getJson(sessionsUrl);
  expect(listed.body.meta.total_count).toBe(1);
  expect(listed.body.data[0]).toMatchObject({
    session_id: started.session_id,
    session_name: "Tell me a story",
  });
  const history = await getJson(
    `/sessions/${String(started.session_id)}/runs?type=agent&db_id=${agent.db_id}`,
  );
  expect(history.body).toEqual([expect.objectContaining({ content: "one two three", status: "COMPLETED" })]);

  const del = await fetch(`${api}/sessions/${String(started.session_id)}?db_id=${agent.db_id}`, {
    method: "DELETE",
    headers: { origin },
  });
  expect(del.status).toBe(204);
  expect((await getJson(sessionsUrl)).body.meta.total_count).toBe(0);
});

it("answers the UI's preflight for a DELETE from its origin", async () => {
  const r = await fetch(`${api}/sessions/abc`, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "DELETE",
      "access-control-request-headers": "authorization",
    },
  });
  expect(r.status).toBe(204);
  expect(r.headers.get("access-control-allow-origin")).toBe(origin);
  expect(r.headers.get("access-control-allow-methods")).toContain("DELETE");
});
