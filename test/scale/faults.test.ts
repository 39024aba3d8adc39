import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { startChildServer } from "../helpers/child-server.js";
import type { ChildServer } from "../helpers/child-server.js";
import { PrivateRedis, freePort } from "../helpers/private-redis.js";
import { freshPgDatabase, pgUrl, redisUrl } from "../helpers/services.js";
import { sse } from "../helpers/sse-client.js";
import { TcpProxy } from "../helpers/tcp-proxy.js";

const pgBase = pgUrl();
const redis = redisUrl();
const form = { "content-type": "application/x-www-form-urlencoded" };
const post = (base: string, path: string, body: Record<string, unknown>) =>
  fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` holds (or throws after `ms`). */
async function until(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await sleep(100);
  }
}
const status = async (url: string) => (await fetch(url)).status;

describe.skipIf(!pgBase || !redis)("faults with several replicas", () => {
  const children: ChildServer[] = [];
  const dbs: Awaited<ReturnType<typeof freshPgDatabase>>[] = [];
  const start = async (env: Record<string, string>) => {
    const child = await startChildServer("test/fixtures/replica-server.ts", [], env);
    children.push(child);
    return child;
  };
  afterAll(async () => {
    for (const child of children) child.proc.kill("SIGKILL");
    await Promise.all(children.map((c) => c.exited));
    for (const db of dbs) await db.drop();
  });

  describe("Redis restarted mid-stream (a private redis-server on its own port)", () => {
    const privateRedis = { server: undefined as PrivateRedis | undefined };
    afterAll(() => privateRedis.server?.kill());

    it("gives clear 503s while it is down, then recovers; streams lose and repeat nothing", async () => {
      const server = (privateRedis.server = new PrivateRedis(await freePort()));
      await server.start();
      const db = await freshPgDatabase(pgBase!);
      dbs.push(db);
      const env = { AGENTOS_DB_URL: db.url, AGENTOS_REDIS_URL: server.url };
      const [a, b] = await Promise.all([start(env), start(env)]);

      const onA = await sse(`${a.url}/agents/slow/runs`, {
        method: "POST",
        body: "message=go&stream=true",
        headers: form,
      });
      await onA.waitFor(3);
      const runId = onA.events[0].data.run_id as string;
      // B follows the run that A runs, from event 1.
      const onB = await sse(`${b.url}/agents/slow/runs/${runId}/events`, {
        headers: { "last-event-id": "1" },
      });
      await onB.waitFor(3);

      await server.kill();
      await until("A reports Redis down", async () => (await status(`${a.url}/health`)) === 503);
      const health = (await (await fetch(`${b.url}/health`)).json()) as { status: string; detail: string };
      expect(health).toMatchObject({ status: "unhealthy", detail: expect.stringMatching(/Redis/) });
      const refused = await post(b.url, "/agents/instant/runs", { message: "now?" });
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as { detail: string }).detail).toMatch(/Redis.*unreachable/);
      const refusedBg = await post(b.url, "/agents/instant/runs", { message: "later?", background: true });
      expect(refusedBg.status).toBe(503);
      // The live run goes on meanwhile, and B's reader goes on from the database.
      const during = onB.events.length;
      await sleep(800);
      expect(onB.events.length).toBeGreaterThan(during);

      await server.start();
      await until(
        "both replicas healthy again",
        async () => (await status(`${a.url}/health`)) === 200 && (await status(`${b.url}/health`)) === 200,
      );
      const ok = await post(b.url, "/agents/instant/runs", { message: "again" });
      expect(ok.status).toBe(200);
      // Cancel through B reaches A again (A subscribed anew).
      const t0 = Date.now();
      expect((await post(b.url, `/agents/slow/runs/${runId}/cancel`, {})).status).toBe(200);
      await onA.done;
      expect(Date.now() - t0).toBeLessThan(1_500);
      await onB.done;
      const idsA = onA.events.map((e) => Number(e.id));
      expect(idsA).toEqual(idsA.map((_, i) => i));
      const idsB = onB.events.map((e) => Number(e.id));
      expect(idsB).toEqual(idsB.map((_, i) => i + 2));
      expect(onB.events.at(-1)!.event).toBe("RunCompleted");
      expect(onB.events.map((e) => e.data)).toEqual(onA.events.slice(2).map((e) => e.data));
      // The refused runs left nothing behind.
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const { rows } = await client.query("select status, count(*)::int as n from runs group by status");
        expect(Object.fromEntries(rows.map((r) => [r.status, r.n]))).toEqual({ CANCELLED: 1, COMPLETED: 1 });
      } finally {
        await client.end();
      }
    });
  });

  describe("PostgreSQL stopped (simulated: the replicas reach it through a TCP proxy that the test stops)", () => {
    const proxy = new TcpProxy("127.0.0.1", Number(new URL(pgBase ?? "postgres://x:5432").port || 5432));
    afterAll(() => proxy.stop());

    it("answers 503 on /health and for runs while it is away, leaves no half-written rows, then serves again", async () => {
      const db = await freshPgDatabase(pgBase!);
      dbs.push(db);
      const port = await proxy.start();
      const viaProxy = new URL(db.url);
      viaProxy.host = `127.0.0.1:${port}`;
      const env = {
        AGENTOS_DB_URL: viaProxy.toString(),
        AGENTOS_REDIS_URL: redis!,
        AGENTOS_REPLICA_GRACE_SECONDS: "3",
      };
      const [a, b] = await Promise.all([start(env), start(env)]);
      expect((await post(a.url, "/agents/instant/runs", { message: "before" })).status).toBe(200);
      // A run in flight when the database goes.
      const inFlight = await sse(`${a.url}/agents/medium/runs`, {
        method: "POST",
        body: "message=go&stream=true",
        headers: form,
      });
      await inFlight.waitFor(3);

      await proxy.stop();
      for (const s of [a, b]) {
        const res = await fetch(`${s.url}/health`);
        expect(res.status).toBe(503);
        expect(((await res.json()) as { detail: string }).detail).toMatch(/database unreachable/);
      }
      for (const body of [{ message: "x" }, { message: "y", background: true }]) {
        const res = await post(b.url, "/agents/instant/runs", body);
        expect(res.status).toBe(503);
        expect(((await res.json()) as { detail: string }).detail).toMatch(/database/i);
      }
      const streamed = await post(a.url, "/agents/instant/runs", { message: "z", stream: true });
      expect(streamed.status).toBe(503);
      await inFlight.done;
      expect(["RunCompleted", "RunError"]).toContain(inFlight.events.at(-1)!.event);

      await proxy.start();
      await until(
        "both replicas healthy again",
        async () => (await status(`${a.url}/health`)) === 200 && (await status(`${b.url}/health`)) === 200,
      );
      expect((await post(b.url, "/agents/instant/runs", { message: "after" })).status).toBe(200);
      // Nothing half-written: the refused runs left no rows, the run in flight did not stay RUNNING.
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const inFlightId = inFlight.events[0].data.run_id as string;
        await until(
          "the run in flight is stored as ended",
          async () => {
            const { rows } = await client.query("select status from runs where run_id = $1", [inFlightId]);
            return ["ERROR", "COMPLETED"].includes(rows[0]?.status);
          },
          15_000,
        );
        const { rows } = await client.query(
          "select r.run_id, r.status, r.data->>'run_id' as body_id, s.session_id from runs r left join sessions s using (session_id)",
        );
        expect(rows).toHaveLength(3);
        for (const r of rows) {
          expect(r.body_id).toBe(r.run_id);
          expect(r.session_id).not.toBeNull();
          expect(["COMPLETED", "ERROR"]).toContain(r.status);
        }
      } finally {
        await client.end();
      }
    }, 40_000);
  });
});
