import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
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
    if (route.scope === "public") continue;
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
    if (route.scope === "public") continue;
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
  expect(open.sort()).toEqual(["GET /", "GET /health", "GET /info", "GET /openapi.json"]);
});

it("serves public routes without credentials", async () => {
  for (const route of routes.filter((r) => r.scope === "public")) {
    const res = await call(route);
    expect([401, 403], `${route.method} ${route.path}`).not.toContain(res.statusCode);
  }
});
