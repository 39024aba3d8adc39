#!/usr/bin/env node
// The `agentos` command: the build when there is one (an installed package), else the TypeScript source through tsx (a clone).
import { existsSync } from "node:fs";

const built = new URL("../dist/src/cli/main.js", import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(new URL("../src/cli/main.ts", import.meta.url).href);
}
