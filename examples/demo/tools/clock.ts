import { z } from "zod";
import { tool } from "../../../src/tool/index.js";

/** A formatter for the timezone (the server's own when none is given), or a clear error for an unknown one. */
function formatterFor(timezone: string | undefined): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: timezone, dateStyle: "full", timeStyle: "long" });
  } catch (err) {
    if (err instanceof RangeError)
      throw new Error(
        `Unknown timezone '${timezone}'; use an IANA name such as 'Europe/Paris', 'America/New_York' or 'UTC'`,
      );
    throw err;
  }
}

export const currentTime = tool({
  name: "current_time",
  description:
    "Returns the current date and time: as ISO 8601 in UTC, and as local time in the given IANA timezone (the server's timezone by default).",
  input: z.object({
    timezone: z.string().optional().describe("An IANA timezone such as 'Europe/Paris' or 'UTC'"),
  }),
  execute: ({ timezone }) => {
    const format = formatterFor(timezone);
    const now = new Date();
    return { iso: now.toISOString(), timezone: format.resolvedOptions().timeZone, local: format.format(now) };
  },
});
