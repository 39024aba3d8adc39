import { afterAll, beforeAll, expect, it } from "vitest";
import { Agent } from "../../src/agent/index.js";
import { ScriptedModel } from "../../src/model/scripted-model.js";
import { scopeText } from "../../src/server/route.js";
import { testOS } from "../helpers/test-os.js";
import type { TestOS } from "../helpers/test-os.js";

let t: TestOS;
beforeAll(async () => {
  t = await testOS({ agents: [new Agent({ id: "a", name: "A", model: ScriptedModel.reply("ok") })] });
});
afterAll(() => t.cleanup());

const toOpenApi = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");

it("documents every route of the table in /openapi.json with its required scope", async () => {
  const { app, routes } = await t.os.start();
  const doc = (await app.inject({ method: "GET", url: "/openapi.json" })).json();
  expect(doc.openapi).toMatch(/^3\./);
  expect(routes.length).toBeGreaterThan(20);
  for (const route of routes) {
    const op = doc.paths[toOpenApi(route.path)]?.[route.method.toLowerCase()];
    expect(op, `${route.method} ${route.path} is documented`).toBeDefined();
    expect(op["x-required-scope"]).toBe(scopeText(route.scope));
    expect(op.summary).toBeTruthy();
    if (route.scope !== "public") expect(op.security).toEqual([{ bearer: [] }]);
  }
});

it("serves Swagger UI at /docs", async () => {
  const app = await t.os.app();
  const res = await app.inject({ method: "GET", url: "/docs" });
  const page =
    res.statusCode === 302 ? await app.inject({ method: "GET", url: res.headers.location as string }) : res;
  expect(page.statusCode).toBe(200);
  expect(page.body).toContain("swagger");
});
