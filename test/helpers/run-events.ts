import type { LanguageModelV3CallOptions } from "@ai-sdk/provider";
import type { RunEvent } from "../../src/run/index.js";

/** Every event of a stream, in order. */
export async function eventsOf(stream: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  for await (const e of stream) out.push(e);
  return out;
}

/** An event's field, for assertions on the open event vocabulary. */
export function field<T = unknown>(ev: RunEvent, name: string): T {
  return (ev as unknown as Record<string, T>)[name];
}

/** All the text of a model request's prompt, to check what a model was shown. */
export function promptOf(call: LanguageModelV3CallOptions): string {
  return JSON.stringify(call.prompt);
}

/** The names of the tools a model request offered. */
export function toolsOf(call: LanguageModelV3CallOptions): string[] {
  return (call.tools ?? []).map((t) => t.name);
}

/** The terminal events of the root run's stream (nested runs' are not counted). */
export function rootTerminals(events: RunEvent[], names: string[]): RunEvent[] {
  const root = events[0].run_id;
  return events.filter((e) => e.run_id === root && names.includes(e.event));
}
