import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testOS } from "../../helpers/test-os.js";
import type { TestOS } from "../../helpers/test-os.js";
import { agnoComponents } from "./agno-fixture.js";

let t: TestOS;
beforeAll(async () => {
  t = await testOS({ ...agnoComponents(), id: "hello-agent-os", description: "An OS for tests" });
});
afterAll(() => t.cleanup());

const get = async (url: string) => {
  const r = await t.inject({ method: "GET", url });
  return { status: r.statusCode, body: r.json() };
};

describe("/agno system routes", () => {
  it("GET / answers name AgentOS API, the os id and version", async () => {
    for (const url of ["/agno", "/agno/"]) {
      const { status, body } = await get(url);
      expect(status).toBe(200);
      expect(body).toEqual({ name: "AgentOS API", id: "hello-agent-os", version: expect.any(String) });
    }
  });

  it("GET /health is ok with the instantiation time (ISO)", async () => {
    const { status, body } = await get("/agno/health");
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(["instantiated_at", "status"]);
    expect(body.status).toBe("ok");
    expect(new Date(body.instantiated_at).toISOString()).toBe(body.instantiated_at);
  });

  it("GET /info has os_id, counts, mcp and auth_mode", async () => {
    const { status, body } = await get("/agno/info");
    expect(status).toBe(200);
    expect(body).toEqual({
      os_id: "hello-agent-os",
      name: expect.any(String),
      agno_version: expect.any(String),
      agent_count: 3,
      team_count: 1,
      workflow_count: 1,
      mcp: { enabled: false, path: null, oauth: null },
      auth_mode: "none",
    });
  });

  it("GET /config is a ConfigResponse: os_id (not id), databases, per-domain dbs, components", async () => {
    const { status, body } = await get("/agno/config");
    expect(status).toBe(200);
    expect(body.id).toBeUndefined();
    expect(body.os_id).toBe("hello-agent-os");
    expect(body.description).toBe("An OS for tests");
    const db = t.db.id;
    expect(body.databases).toEqual([db]);
    expect(body.os_database).toBe(db);
    for (const domain of ["session", "memory"]) {
      expect(body[domain].dbs).toEqual([
        { db_id: db, domain_config: { display_name: expect.any(String) }, tables: expect.any(Array) },
      ]);
    }
    expect(body.knowledge).toEqual({ dbs: [], knowledge_instances: [] });
    expect(body.agents).toContainEqual({
      id: "agno-assist",
      name: "Agno Assist",
      description: "Answers",
      db_id: db,
      model: { id: "scripted-model", provider: "scripted" },
    });
    expect(body.teams).toEqual([
      expect.objectContaining({ id: "crew", name: "Crew", db_id: db, mode: "coordinate" }),
    ]);
    expect(body.workflows).toEqual([
      {
        id: "pipeline",
        name: "Pipeline",
        description: "Writes, then counts",
        db_id: db,
        is_factory: false,
        is_component: false,
      },
    ]);
    // None fields are dropped, never sent as null.
    expect(JSON.stringify(body)).not.toContain("null");
  });

  it("GET /models lists unique {id, provider} pairs over agents and teams", async () => {
    const { status, body } = await get("/agno/models");
    expect(status).toBe(200);
    expect(body).toEqual([{ id: "scripted-model", provider: "scripted" }]);
  });

  it("answers unknown paths 404 Not Found and wrong methods 405 in Agno's error shape", async () => {
    expect(await get("/agno/nothing-here")).toEqual({ status: 404, body: { detail: "Not Found" } });
    const r = await t.inject({ method: "DELETE", url: "/agno/health" });
    expect(r.statusCode).toBe(405);
    expect(r.json()).toEqual({ detail: "Method Not Allowed" });
  });

  it("lets a chat UI's preflight through without credentials", async () => {
    const secured = await testOS({ ...agnoComponents(), auth: { securityKey: "s3cret" } });
    try {
      const pre = await secured.inject({
        method: "OPTIONS",
        url: "/agno/agents",
        headers: {
          origin: "http://localhost:3000",
          "access-control-request-method": "GET",
          "access-control-request-headers": "authorization",
        },
      });
      expect(pre.statusCode).toBe(204);
      expect(pre.headers["access-control-allow-origin"]).toBe("http://localhost:3000");
      const anonymous = await secured.inject({ method: "GET", url: "/agno/agents" });
      expect(anonymous.statusCode).toBe(401);
      expect(Object.keys(anonymous.json())).toEqual(["detail"]);
      const keyed = await secured.inject({
        method: "GET",
        url: "/agno/agents",
        headers: { authorization: "Bearer s3cret" },
      });
      expect(keyed.statusCode).toBe(200);
      expect((await secured.inject({ method: "GET", url: "/agno/health" })).statusCode).toBe(200);
    } finally {
      await secured.cleanup();
    }
  });
});

describe("the /agno prefix setting", () => {
  it("moves the surface to another prefix (option) or to AGENTOS_AGNO_PREFIX", async () => {
    const moved = await testOS({ ...agnoComponents(), agnoPrefix: "/compat/v2" });
    const byEnv = await testOS({ ...agnoComponents(), env: { AGENTOS_AGNO_PREFIX: "/agno-api/" } });
    try {
      expect((await moved.inject({ method: "GET", url: "/compat/v2/health" })).json().status).toBe("ok");
      expect((await moved.inject({ method: "GET", url: "/agno/health" })).statusCode).toBe(404);
      expect((await byEnv.inject({ method: "GET", url: "/agno-api/health" })).json().status).toBe("ok");
    } finally {
      await moved.cleanup();
      await byEnv.cleanup();
    }
  });

  it("turns the surface off (false or AGENTOS_AGNO_PREFIX=off) and leaves the root surface alone", async () => {
    const off = await testOS({ ...agnoComponents(), agnoPrefix: false });
    const offByEnv = await testOS({ ...agnoComponents(), env: { AGENTOS_AGNO_PREFIX: "off" } });
    try {
      for (const os of [off, offByEnv]) {
        expect((await os.inject({ method: "GET", url: "/agno/health" })).statusCode).toBe(404);
        expect((await os.inject({ method: "GET", url: "/health" })).json()).toEqual({ status: "healthy" });
        const { routes } = await os.os.start();
        expect(routes.some((r) => r.surface === "agno")).toBe(false);
      }
    } finally {
      await off.cleanup();
      await offByEnv.cleanup();
    }
  });

  it("refuses a prefix that is not a path", async () => {
    await expect(testOS({ agnoPrefix: "no slash" })).rejects.toThrow(/AGENTOS_AGNO_PREFIX/);
  });
});
