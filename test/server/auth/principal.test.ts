import { describe, expect, it } from "vitest";
import { NotFoundError } from "../../../src/errors.js";
import {
  OPEN_PRINCIPAL,
  actingUserId,
  canSeeUserData,
  visibleRecord,
} from "../../../src/server/auth/index.js";
import type { Principal } from "../../../src/server/auth/index.js";

const alice: Principal = { mode: "jwt", userId: "alice", scopes: new Set(), admin: false };
const admin: Principal = { mode: "jwt", userId: "root", scopes: new Set(["agent_os:admin"]), admin: true };
const notFound = () => new NotFoundError("Thing not found");

describe("isolation helpers", () => {
  it("actingUserId: a non-admin is always themselves; an admin acts for whom they name, or nobody", () => {
    expect(actingUserId(alice, "bob")).toBe("alice");
    expect(actingUserId(alice, undefined)).toBe("alice");
    expect(actingUserId(admin, "bob")).toBe("bob");
    expect(actingUserId(admin, undefined)).toBeUndefined();
    expect(actingUserId(OPEN_PRINCIPAL, "")).toBeUndefined();
  });

  it("actingUserId refuses a non-admin that names no user (a custom authenticator's mistake)", () => {
    const nobody: Principal = { mode: "jwt", scopes: new Set(), admin: false };
    expect(() => actingUserId(nobody, "bob")).toThrow("This credential does not name a user");
    expect(canSeeUserData(nobody, null)).toBe(false);
  });

  it("canSeeUserData and visibleRecord: own records only, unowned ones hidden too; admins see all", () => {
    expect(canSeeUserData(alice, "alice")).toBe(true);
    expect(canSeeUserData(alice, "bob")).toBe(false);
    expect(canSeeUserData(alice, null)).toBe(false);
    expect(canSeeUserData(admin, "bob")).toBe(true);
    const mine = { user_id: "alice" };
    expect(visibleRecord(alice, mine, notFound)).toBe(mine);
    expect(() => visibleRecord(alice, { user_id: "bob" }, notFound)).toThrow("Thing not found");
    expect(() => visibleRecord(alice, undefined, notFound)).toThrow("Thing not found");
    expect(visibleRecord(admin, { user_id: null }, notFound)).toEqual({ user_id: null });
  });
});
