import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface ChildServer {
  url: string;
  proc: ChildProcess;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
}

/** Starts a fixture server in its own Node process and waits for its URL. */
export function startChildServer(
  fixture: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<ChildServer> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--import", "tsx", fixture, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | string>((r) =>
      proc.once("exit", (code, signal) => r(code ?? signal ?? -1)),
    );
    let out = "";
    let err = "";
    proc.stderr!.on("data", (d) => (err += d));
    proc.stdout!.on("data", (d) => {
      out += d;
      const m = out.match(/LISTENING (\S+)/);
      if (m) resolve({ url: m[1], proc, exited });
    });
    void exited.then((code) => reject(new Error(`fixture exited (${code}) before listening: ${err}`)));
    setTimeout(() => reject(new Error(`fixture did not start in time: ${err}`)), 20_000).unref();
  });
}
