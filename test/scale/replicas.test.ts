import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChildServer } from "../helpers/child-server.js";
import type { ChildServer } from "../helpers/child-server.js";
import { freshPgDatabase, pgUrl, redisUrl } from "../helpers/services.js";
import { sse } from "../helpers/sse-client.js";

const pg = pgUrl();
const redis = redisUrl();
const GRACE_SECONDS = 2;
const form = { "content-type": "application/x-www-form-urlencoded" };

const streamRun = (base: string, agent: string, extra = "") =>
  sse(`${base}/agents/${agent}/runs`, {
    method: "POST",
    body: `message=go&stream=true${extra}`,
    headers: form,
  });
const post = (
  base: string,
  path: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) =>
  fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
const getRun = async (base: string, agent: string, runId: string) =>
  (await (await fetch(`${base}/agents/${agent}/runs/${runId}`)).json()) as {
    status: string;
    error: string | null;
    content: string;
    created_at: number;
    updated_at: number;
  };

describe.skipIf(!pg || !redis)(
  "replicas sharing PostgreSQL and Redis (separate processes on loopback)",
  () => {
    let db: Awaited<ReturnType<typeof freshPgDatabase>>;
    let a: ChildServer;
    let b: ChildServer;
    let c: ChildServer;
    let env: Record<string, string>;
    const children: ChildServer[] = [];
    const start = async () => {
      const child = await startChildServer("test/fixtures/replica-server.ts", [], env);
      children.push(child);
      return child;
    };

    beforeAll(async () => {
      db = await freshPgDatabase(pg!);
      env = {
        AGENTOS_DB_URL: db.url,
        AGENTOS_REDIS_URL: redis!,
        AGENTOS_REPLICA_GRACE_SECONDS: String(GRACE_SECONDS),
      };
      // Three replicas migrating the same empty database at once (the migration lock lets one do it).
      [a, b, c] = await Promise.all([start(), start(), start()]);
    });
    afterAll(async () => {
      for (const child of children) child.proc.kill("SIGKILL");
      await Promise.all(children.map((ch) => ch.exited));
      await db?.drop();
    });

    it("a stream started on A is cancelled through B within a second", async () => {
      const stream = await streamRun(a.url, "slow");
      await stream.waitFor(3);
      const runId = stream.events[0].data.run_id as string;
      const t0 = Date.now();
      const res = await post(b.url, `/agents/slow/runs/${runId}/cancel`, {});
      expect(res.status).toBe(200);
      // B answers with the run's end as the replica running it stored it.
      expect(await res.json()).toEqual({ run_id: runId, status: "CANCELLED" });
      await stream.done;
      expect(Date.now() - t0).toBeLessThan(1_500);
      expect(stream.events.at(-1)!.event).toBe("RunCompleted");
      expect(stream.events.some((e) => e.event === "RunCancelled")).toBe(true);
      expect((await getRun(c.url, "slow", runId)).status).toBe("CANCELLED");
    });

    it("a client drops from A and reattaches on B: every event once, in order, live to the end", async () => {
      const first = await streamRun(a.url, "medium");
      await first.waitFor(10);
      first.close();
      const have = [...first.events];
      const runId = have[0].data.run_id as string;
      const lastId = have.at(-1)!.id!;
      const rest = await sse(`${b.url}/agents/medium/runs/${runId}/events`, {
        headers: { "last-event-id": lastId },
      });
      await rest.done;
      const ids = [...have, ...rest.events].map((e) => Number(e.id));
      expect(ids).toEqual(ids.map((_, i) => i));
      expect(rest.events.at(-1)!.event).toBe("RunCompleted");
      const content = [...have, ...rest.events]
        .filter((e) => e.event === "RunContent")
        .map((e) => e.data.content)
        .join("");
      expect(content).toBe(Array.from({ length: 60 }, (_, i) => `m${i} `).join(""));
      // The run was still going when B took over: B followed live events, not only a finished replay.
      expect(rest.events.filter((e) => e.event === "RunContent").length).toBeGreaterThan(10);
    });

    it("concurrent runs on one session sent to three replicas never interleave", async () => {
      const session = `s-${Date.now()}`;
      const servers = [a, b, c];
      const N = 9;
      const answers = await Promise.all(
        Array.from({ length: N }, (_, i) =>
          post(servers[i % 3].url, "/agents/history/runs", { message: `m${i}`, session_id: session }).then(
            async (r) => ({
              status: r.status,
              body: (await r.json()) as { content: string; run_id: string },
            }),
          ),
        ),
      );
      expect(answers.map((x) => x.status)).toEqual(Array(N).fill(200));
      // Each run saw the answers of all runs before it: the k-th run to go sees k user messages.
      const seen = answers.map((x) => x.body.content.split(",").length).sort((p, q) => p - q);
      expect(seen).toEqual(Array.from({ length: N }, (_, i) => i + 1));
      // And no two runs' lifetimes overlap.
      const spans = (await Promise.all(answers.map((x) => getRun(a.url, "history", x.body.run_id)))).sort(
        (p, q) => p.created_at - q.created_at,
      );
      for (const s of spans) expect(s.status).toBe("COMPLETED");
      const byLength = [...answers].sort((p, q) => p.body.content.length - q.body.content.length);
      for (let i = 1; i < byLength.length; i++)
        expect(byLength[i].body.content.startsWith(byLength[i - 1].body.content)).toBe(true);
    });

    it("reject holds across replicas: a second run on the session through B is 409 while A runs one", async () => {
      const first = await streamRun(a.url, "rejecting");
      await first.waitFor(2);
      const session = first.events[0].data.session_id as string;
      const refused = await post(b.url, "/agents/rejecting/runs", { message: "me too", session_id: session });
      expect(refused.status).toBe(409);
      await first.done;
      // The turn is handed back just after the terminal event is sent: allow that round trip.
      let later = await post(b.url, "/agents/rejecting/runs", { message: "now", session_id: session });
      for (let i = 0; i < 20 && later.status === 409; i++) {
        await new Promise((r) => setTimeout(r, 50));
        later = await post(b.url, "/agents/rejecting/runs", { message: "now", session_id: session });
      }
      expect(later.status).toBe(200);
    });

    it("interrupt holds across replicas: a run on the session through B cancels the one on A", async () => {
      const first = await streamRun(a.url, "interrupting");
      await first.waitFor(2);
      const session = first.events[0].data.session_id as string;
      const second = await streamRun(b.url, "interrupting", `&session_id=${session}`);
      await Promise.all([first.done, second.done]);
      expect(first.events.find((e) => e.event === "RunCancelled")?.data.reason).toMatch(/Interrupted/);
      expect(second.events.at(-1)!.event).toBe("RunCompleted");
      expect(second.events.some((e) => e.event === "RunCancelled")).toBe(false);
      // The second began only after the first had ended.
      const firstEnd = first.events.at(-1)!.data.created_at as number;
      expect(second.events[0].data.created_at).toBeGreaterThanOrEqual(firstEnd);
    });

    it("an Idempotency-Key sent to two replicas at once creates one run", async () => {
      const headers = { "idempotency-key": `k-${Date.now()}` };
      const [x, y] = await Promise.all([
        post(a.url, "/agents/instant/runs", { message: "once" }, headers),
        post(b.url, "/agents/instant/runs", { message: "once" }, headers),
      ]);
      const bx = (await x.json()) as { run_id: string };
      const by = (await y.json()) as { run_id: string };
      expect([x.status, y.status]).toEqual([200, 200]);
      expect(bx.run_id).toBe(by.run_id);
    });

    it("a background run is answered 202 after its row commits, and any replica sees it", async () => {
      const res = await post(b.url, "/agents/medium/runs", { message: "bg", background: true });
      expect(res.status).toBe(202);
      const { run_id } = (await res.json()) as { run_id: string };
      const seen = await getRun(c.url, "medium", run_id);
      expect(["PENDING", "RUNNING", "COMPLETED"]).toContain(seen.status);
      for (let i = 0; i < 100 && (await getRun(a.url, "medium", run_id)).status !== "COMPLETED"; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect((await getRun(a.url, "medium", run_id)).status).toBe("COMPLETED");
    });

    it("kill -9 of a replica mid-run: the run is ERROR within the grace period, the others keep serving", async () => {
      const d = await start();
      const stream = await streamRun(d.url, "slow");
      await stream.waitFor(5);
      const runId = stream.events[0].data.run_id as string;
      await new Promise((r) => setTimeout(r, 200));
      d.proc.kill("SIGKILL");
      expect(await d.exited).toBe("SIGKILL");
      const killedAt = Date.now();
      // B keeps serving meanwhile.
      const quick = await post(b.url, "/agents/instant/runs", { message: "still here" });
      expect(quick.status).toBe(200);
      let run = await getRun(b.url, "slow", runId);
      while (run.status === "RUNNING" && Date.now() - killedAt < GRACE_SECONDS * 3_000) {
        await new Promise((r) => setTimeout(r, 100));
        run = await getRun(b.url, "slow", runId);
      }
      const took = Date.now() - killedAt;
      expect(run.status).toBe("ERROR");
      expect(run.error).toMatch(/replica running it stopped/);
      // The grace period, plus one sweep interval (a third of it) and the last beat's age.
      expect(took).toBeLessThan(GRACE_SECONDS * 1000 * 1.5 + 1_000);
      const replay = await sse(`${c.url}/agents/slow/runs/${runId}/events`);
      await replay.done;
      expect(replay.events.at(-1)!.event).toBe("RunError");
      expect(replay.events.map((e) => Number(e.id))).toEqual(replay.events.map((_, i) => i));
      // A restarted replica does not end the runs of the others (no fail-all at startup).
      const live = await streamRun(a.url, "medium");
      await live.waitFor(2);
      await start();
      await live.done;
      expect(live.events.at(-1)!.event).toBe("RunCompleted");
    });

    it("/health is 200 on every replica", async () => {
      for (const s of [a, b, c]) expect((await fetch(`${s.url}/health`)).status).toBe(200);
    });
  },
);
