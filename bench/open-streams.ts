/**
 * Memory per open stream: 10,000 concurrent streaming runs held open by a slow scripted model.
 * The server runs in a child process; the clients are raw sockets in this process, each a
 * `stream=true` run request that stays open after its first event. Reports the server's RSS and
 * heap (after GC) before and with every stream open. Budget: under 1 GiB in total.
 * Run: node --import tsx bench/open-streams.ts [streams=10000]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

interface Memory {
  rss: number;
  heapUsed: number;
  liveRuns: number;
}

const STREAMS = Number(process.argv[2] ?? 10_000);
/** Connections opened at once; the rest wait, so that the listen backlog is not what is measured. */
const WAVE = 250;
const MiB = 1024 * 1024;

const dir = mkdtempSync(join(tmpdir(), "agentos-open-streams-"));
const child = spawn(
  process.execPath,
  ["--expose-gc", "--import", "tsx", "bench/open-streams-server.ts", join(dir, "bench.db")],
  { stdio: ["ignore", "pipe", "inherit", "ipc"] },
);
const base = await new Promise<URL>((resolve, reject) => {
  let out = "";
  child.stdout!.on("data", (d) => {
    out += d;
    const m = out.match(/LISTENING (\S+)/);
    if (m) resolve(new URL(m[1]));
  });
  child.once("exit", (code) => reject(new Error(`server exited (${code})`)));
});
const memory = () =>
  new Promise<Memory>((resolve) => {
    child.once("message", (m) => resolve(m as Memory));
    child.send("memory");
  });

const requestOf = (body: string) =>
  `POST /agents/bench/runs HTTP/1.1\r\nHost: ${base.host}\r\n` +
  `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

/** Opens one streaming run on a raw socket; resolves once its first RunContent arrived. */
function openStream(request = requestOf("message=hello&stream=true")): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(base.port), base.hostname);
    let seen = "";
    const onData = (d: Buffer) => {
      seen += d.toString("latin1");
      if (!seen.includes("event: RunContent")) return;
      socket.off("data", onData);
      socket.on("data", () => {}); // keep reading: an open stream, not a stuck one
      resolve(socket);
    };
    socket.on("data", onData);
    socket.once("error", reject);
    socket.write(request);
  });
}

try {
  // Warm up: a few streams opened and closed, so that lazy setup is in the baseline.
  const warm = requestOf("message=hello&stream=true&on_disconnect=cancel");
  for (const s of await Promise.all(Array.from({ length: 20 }, () => openStream(warm)))) s.destroy();
  await new Promise((r) => setTimeout(r, 500));
  const before = await memory();
  const started = performance.now();
  const sockets: net.Socket[] = [];
  while (sockets.length < STREAMS) {
    const n = Math.min(WAVE, STREAMS - sockets.length);
    sockets.push(...(await Promise.all(Array.from({ length: n }, () => openStream()))));
  }
  const openSeconds = (performance.now() - started) / 1000;
  const during = await memory();
  const perStream = (x: keyof Memory) => (during[x] - before[x]) / STREAMS / 1024;
  console.log(
    `open streams: ${STREAMS} (live runs on the server: ${during.liveRuns}), opened in ${openSeconds.toFixed(1)} s`,
  );
  console.log(
    `server RSS: ${(before.rss / MiB).toFixed(0)} MiB before, ${(during.rss / MiB).toFixed(0)} MiB with all open ` +
      `(${perStream("rss").toFixed(1)} KiB per stream)`,
  );
  console.log(
    `server heap after GC: ${(before.heapUsed / MiB).toFixed(0)} MiB before, ${(during.heapUsed / MiB).toFixed(0)} MiB ` +
      `with all open (${perStream("heapUsed").toFixed(1)} KiB per stream)`,
  );
  console.log(`budget: total RSS under 1024 MiB: ${during.rss < 1024 * MiB ? "met" : "NOT met"}`);
  for (const s of sockets) s.destroy();
} finally {
  child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
}
