/**
 * Importing the built package and starting a server (migrations, routes, listen), each in a fresh
 * process, median of 10. Builds dist/ first. Run: node --import tsx bench/import-and-start.ts
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

export function measureStartup(runs = 10): { importMs: number; startMs: number } {
  execFileSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, "-p", "tsconfig.build.json"], {
    cwd: ROOT,
    stdio: "inherit",
  });
  const samples = Array.from(
    { length: runs },
    () =>
      JSON.parse(
        execFileSync(process.execPath, ["bench/startup-probe.mjs"], { cwd: ROOT, encoding: "utf8" }),
      ) as { importMs: number; startMs: number },
  );
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1];
  return { importMs: median(samples.map((s) => s.importMs)), startMs: median(samples.map((s) => s.startMs)) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = measureStartup();
  console.log(
    `import: ${r.importMs.toFixed(0)} ms, server start: ${r.startMs.toFixed(0)} ms (median of 10 fresh processes)`,
  );
}
