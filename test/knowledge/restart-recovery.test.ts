import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { startChildServer } from "../helpers/child-server.js";

const dir = mkdtempSync(join(tmpdir(), "agentos-kb-restart-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const status = async (url: string, id: string) =>
  (await (await fetch(`${url}/knowledge/kb/content/${id}/status`)).json()) as {
    status: string;
    status_message: string | null;
  };

async function until(check: () => Promise<boolean>, what: string) {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

it("content a killed server left processing is failed after a restart, and adding it again processes it", async () => {
  const file = join(dir, "agentos.db");
  const a = await startChildServer("test/fixtures/knowledge-server.ts", [file]);
  const form = new FormData();
  form.set("text_content", "The restart test document talks about lighthouses.");
  const accepted = await fetch(`${a.url}/knowledge/kb/content`, { method: "POST", body: form });
  expect(accepted.status).toBe(202);
  const { id } = (await accepted.json()) as { id: string };
  await until(async () => (await status(a.url, id)).status === "processing", "processing");
  a.proc.kill("SIGKILL");
  expect(await a.exited).toBe("SIGKILL");

  const b = await startChildServer("test/fixtures/knowledge-server.ts", [file, "--instant"]);
  try {
    expect(await status(b.url, id)).toEqual({
      id,
      status: "failed",
      status_message: "interrupted by a restart before processing finished; add the content again",
    });
    const again = await fetch(`${b.url}/knowledge/kb/content`, { method: "POST", body: form });
    expect(((await again.json()) as { id: string }).id).toBe(id);
    await until(async () => (await status(b.url, id)).status === "completed", "completed");
    const search = await fetch(`${b.url}/knowledge/kb/search`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "lighthouses", search_type: "hybrid" }),
    });
    expect(((await search.json()) as { results: { content_id: string }[] }).results[0].content_id).toBe(id);
  } finally {
    b.proc.kill("SIGKILL");
    await b.exited;
  }
});
