import { describe, expect, it } from "vitest";
import { hasAnyScopeFor, hasScope, requireScope } from "../../../src/server/auth/index.js";
import type { Principal } from "../../../src/server/auth/index.js";

const user = (...scopes: string[]): Principal => ({
  mode: "jwt",
  userId: "u",
  scopes: new Set(scopes),
  admin: false,
});

describe("scope grammar", () => {
  it("resource:action grants the action on every id, and nothing else", () => {
    const p = user("agents:run");
    expect(hasScope(p, { resource: "agents", action: "run" })).toBe(true);
    expect(hasScope(p, { resource: "agents", action: "run" }, "any-agent")).toBe(true);
    expect(hasScope(p, { resource: "agents", action: "read" })).toBe(false);
    expect(hasScope(p, { resource: "teams", action: "run" })).toBe(false);
  });

  it("resource:{id}:action grants that id only", () => {
    const p = user("agents:a1:run");
    expect(hasScope(p, { resource: "agents", action: "run" }, "a1")).toBe(true);
    expect(hasScope(p, { resource: "agents", action: "run" }, "a2")).toBe(false);
    expect(hasScope(p, { resource: "agents", action: "run" })).toBe(false);
    expect(hasScope(p, { resource: "agents", action: "read" }, "a1")).toBe(false);
  });

  it("resource:*:action grants every id", () => {
    const p = user("workflows:*:run");
    expect(hasScope(p, { resource: "workflows", action: "run" }, "w9")).toBe(true);
    expect(hasScope(p, { resource: "workflows", action: "run" })).toBe(true);
    expect(hasScope(p, { resource: "workflows", action: "delete" }, "w9")).toBe(false);
  });

  it("agent_os:admin grants everything", () => {
    const p = user("agent_os:admin");
    expect(hasScope(p, { resource: "sessions", action: "delete" })).toBe(true);
    expect(hasScope(p, { resource: "traces", action: "read" }, "t")).toBe(true);
    expect(hasAnyScopeFor(p, "agents", "run")).toBe(true);
  });

  it("system and config are one resource, as are memory and memories", () => {
    expect(hasScope(user("config:read"), { resource: "system", action: "read" })).toBe(true);
    expect(hasScope(user("system:read"), { resource: "system", action: "read" })).toBe(true);
    expect(hasScope(user("memory:read"), { resource: "memories", action: "read" })).toBe(true);
    expect(hasScope(user("memories:write"), { resource: "memories", action: "write" })).toBe(true);
    expect(hasScope(user("memory:read"), { resource: "memories", action: "write" })).toBe(false);
  });

  it("does not mistake near misses for grants", () => {
    for (const s of [
      "agents",
      "agents:",
      "agents:*",
      "*:run",
      "agent:run",
      "agents:run:x",
      "AGENTS:RUN",
      " agents:run",
    ])
      expect(hasScope(user(s), { resource: "agents", action: "run" }, "x"), s).toBe(false);
  });

  it("hasAnyScopeFor admits a per-id grant for filtered listings, of the right resource and action", () => {
    expect(hasAnyScopeFor(user("agents:a1:read"), "agents", "read")).toBe(true);
    expect(hasAnyScopeFor(user("agents:read"), "agents", "read")).toBe(true);
    expect(hasAnyScopeFor(user("agents:a1:run"), "agents", "read")).toBe(false);
    expect(hasAnyScopeFor(user("teams:t1:read"), "agents", "read")).toBe(false);
    expect(hasAnyScopeFor(user("agents:a:b:read"), "agents", "read")).toBe(false);
  });
});

describe("requireScope", () => {
  it("throws Agno's 403 naming the scope", () => {
    expect(() =>
      requireScope(user(), { resource: "agents", action: "run", idParam: "agent_id" }, { agent_id: "a" }),
    ).toThrow("Insufficient permissions. Required scope(s): agents:run");
  });

  it("takes the id from the route's path parameter", () => {
    const scope = { resource: "agents", action: "run", idParam: "agent_id" } as const;
    expect(() => requireScope(user("agents:a1:run"), scope, { agent_id: "a1" })).not.toThrow();
    expect(() => requireScope(user("agents:a1:run"), scope, { agent_id: "a2" })).toThrow(/agents:run/);
  });

  it("admits any per-id grant on anyId routes, and public routes always", () => {
    const scope = { resource: "agents", action: "read", anyId: true } as const;
    expect(() => requireScope(user("agents:a1:read"), scope, {})).not.toThrow();
    expect(() => requireScope(user("sessions:read"), scope, {})).toThrow();
    expect(() => requireScope(user(), "public", {})).not.toThrow();
  });
});
