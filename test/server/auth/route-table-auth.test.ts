import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import WebSocket from "ws";
import { Agent } from "../../../src/agent/index.js";
import { ScriptedModel } from "../../../src/model/scripted-model.js";
import type { RouteDef } from "../../../src/server/route.js";
import { testOS } from "../../helpers/test-os.js";
import type { TestOS } from "../../helpers/test-os.js";
import { TEST_SECRET, bearer, signToken } from "../../helpers/jwt.js";

/** Other names a resource answers to in scopes. */
const ALIAS: Record<string, string> = { system: "config", memories: "memory" };

let t: TestOS;
let routes: RouteDef[];
beforeAll(async () => {
  t = await testOS({
    agents: [new Agent({ id: "a", name: "A", model: ScriptedModel.reply("ok") })],
    auth: { jwt: { verificationKey: TEST_SECRET } },
  });
  ({ routes } = await t.os.start());
});
afterAll(() => t.cleanup());

/** The route's URL with every path parameter filled by a dummy id (the check happens before the handler). */
const urlOf = (route: RouteDef) => route.path.replace(/:([A-Za-z0-9_]+)/g, (_m, name) => `dummy-${name}`);

async function call(route: RouteDef, scopes?: string[]) {
  const opts: InjectOptions = { method: route.method, url: urlOf(route) };
  if (scopes) opts.headers = bearer(await signToken(TEST_SECRET, { sub: "walker", scopes }));
  if (route.method === "POST" || route.method === "PATCH" || route.method === "PUT") opts.payload = {};
  return t.inject(opts);
}

it("walks a route table that has protected routes", () => {
  expect(routes.filter((r) => r.scope !== "public").length).toBeGreaterThan(20);
});

it("answers 401 without credentials and 403 without the scope on every protected route", async () => {
  for (const route of routes) {
    if (route.scope === "public" || route.websocket) continue;
    const name = `${route.method} ${route.path}`;
    const anonymous = await call(route);
    expect(anonymous.statusCode, `${name} without credentials`).toBe(401);
    expect(Object.keys(anonymous.json()), name).toEqual(["detail"]);

    const unscoped = await call(route, ["unrelated:read"]);
    expect(unscoped.statusCode, `${name} without its scope`).toBe(403);
    expect(unscoped.json(), name).toEqual({
      detail: `Insufficient permissions. Required scope(s): ${route.scope.resource}:${route.scope.action}`,
    });

    // The wrong action on the right resource is no grant either.
    const otherAction = route.scope.action === "read" ? "delete" : "read";
    expect((await call(route, [`${route.scope.resource}:${otherAction}`])).statusCode, name).toBe(403);
  }
});

it("lets each protected route through with exactly its scope, its per-id form and its alias", async () => {
  for (const route of routes) {
    if (route.scope === "public" || route.websocket) continue;
    const { resource, action, idParam } = route.scope;
    const grants = [[`${resource}:${action}`], [`${resource}:*:${action}`], ["agent_os:admin"]];
    if (idParam) grants.push([`${resource}:dummy-${idParam}:${action}`]);
    if (ALIAS[resource]) grants.push([`${ALIAS[resource]}:${action}`]);
    for (const scopes of grants) {
      const res = await call(route, scopes);
      expect([401, 403], `${route.method} ${route.path} with ${scopes}: ${res.body}`).not.toContain(
        res.statusCode,
      );
    }
    if (idParam) {
      const otherId = await call(route, [`${resource}:another-id:${action}`]);
      expect(otherId.statusCode, `${route.method} ${route.path} with another id's scope`).toBe(403);
    }
  }
});

it("has no public route besides the OS's description, health and docs", () => {
  const open = routes.filter((r) => r.scope === "public").map((r) => `${r.method} ${r.path}`);
  // The /agno surface's own description, health and info are public as in Agno.
  expect(open.sort()).toEqual([
    "GET /",
    "GET /agno",
    "GET /agno/health",
    "GET /agno/info",
    "GET /health",
    "GET /info",
    "GET /openapi.json",
  ]);
});

it("serves public routes without credentials", async () => {
  for (const route of routes.filter((r) => r.scope === "public")) {
    const res = await call(route);
    expect([401, 403], `${route.method} ${route.path}`).not.toContain(res.statusCode);
  }
});

/** Opens a WebSocket and resolves with its close code, or "open" once it is accepted and stays open. */
function wsOutcome(url: string): Promise<number | "open"> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    let timer: NodeJS.Timeout | undefined;
    ws.on("open", () => {
      timer = setTimeout(() => {
        resolve("open");
        ws.close();
      }, 300);
    });
    ws.on("close", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    ws.on("error", () => {});
  });
}

it("closes every WebSocket route with 4401 without a token, 4403 without its scope, and accepts its scope", async () => {
  const base = (await t.listen()).replace("http", "ws");
  // Agno's /workflows/ws authenticates in-band instead (test/server/agno/agno-workflow-socket.test.ts).
  const sockets = routes.filter((r) => r.websocket && r.surface !== "agno");
  expect(sockets.length).toBe(3);
  for (const route of sockets) {
    if (route.scope === "public") throw new Error(`${route.path} must not be public`);
    const url = `${base}${route.path.replace(":" + route.scope.idParam, "a")}`;
    expect(await wsOutcome(url), `${route.path} without a token`).toBe(4401);
    expect(await wsOutcome(`${url}?token=not-a-jwt`), `${route.path} with a bad token`).toBe(4401);
    const unscoped = await signToken(TEST_SECRET, {
      sub: "walker",
      scopes: [`${route.scope.resource}:read`],
    });
    expect(await wsOutcome(`${url}?token=${unscoped}`), `${route.path} without its scope`).toBe(4403);
    const scoped = await signToken(TEST_SECRET, {
      sub: "walker",
      scopes: [`${route.scope.resource}:${route.scope.action}`],
    });
    // The team and workflow ids do not exist here (4404); the agent's does: accepted.
    const expected = route.path.startsWith("/ws/agents") ? "open" : 4404;
    expect(await wsOutcome(`${url}?token=${scoped}`), `${route.path} with its scope`).toBe(expected);
  }
});
