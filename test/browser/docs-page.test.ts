import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../src/agent/index.js";
import { ScriptedModel } from "../../src/model/scripted-model.js";
import { chromiumMissing, launchChromium } from "../helpers/chromium.js";
import { testOS } from "../helpers/test-os.js";
import type { TestOS } from "../helpers/test-os.js";

const missing = chromiumMissing();

describe.skipIf(missing)("Swagger UI at /docs in a real browser", () => {
  let t: TestOS;
  let base: string;
  beforeAll(async () => {
    t = await testOS({
      agents: [
        new Agent({
          id: "assistant",
          name: "Assistant",
          model: ScriptedModel.reply("Hello from the docs page"),
        }),
      ],
    });
    base = await t.listen();
  });
  afterAll(() => t.cleanup());

  it("renders the operations of the route table and executes one with Try it out", async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const failed: string[] = [];
      page.on("requestfailed", (r) => failed.push(r.url()));
      await page.goto(`${base}/docs`);
      await page.waitForSelector(".opblock-summary-path", { timeout: 15_000 });
      const paths = await page.$$eval(".opblock-summary-path", (els) =>
        els.map((e) => e.getAttribute("data-path")),
      );
      expect(paths).toEqual(
        expect.arrayContaining(["/agents", "/agents/{agent_id}/runs", "/sessions", "/health"]),
      );
      expect(failed.filter((u) => u.startsWith(base))).toEqual([]);

      // Open the health operation and execute it from the page: the UI talks to the live server.
      const health = page.locator("#operations-Core-get_health");
      await health.locator(".opblock-summary").click();
      await health.locator("button.try-out__btn").click();
      await health.locator("button.execute").click();
      await expect
        .poll(
          async () =>
            (
              await health
                .locator(".live-responses-table .response .response-col_status")
                .first()
                .textContent()
            )?.trim(),
          { timeout: 10_000 },
        )
        .toBe("200");
      expect(
        await health.locator(".live-responses-table .response .highlight-code").first().textContent(),
      ).toContain("healthy");
    } finally {
      await browser.close();
    }
  });
});
