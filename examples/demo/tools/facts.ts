import { z } from "zod";
import { tool } from "../../../src/tool/index.js";

/** A tiny offline fact list, so that the research demo works without any network. */
export const FACTS: readonly { topic: string; words: string[]; fact: string }[] = [
  {
    topic: "Eiffel Tower",
    words: ["eiffel", "tower", "paris"],
    fact: "The Eiffel Tower in Paris is 330 metres tall and was completed in 1889.",
  },
  {
    topic: "Mount Everest",
    words: ["everest", "mountain", "highest", "himalaya"],
    fact: "Mount Everest is 8,849 metres high, the highest mountain above sea level.",
  },
  { topic: "Moon", words: ["moon", "lunar"], fact: "The Moon is on average 384,400 km from Earth." },
  {
    topic: "Speed of light",
    words: ["light", "speed"],
    fact: "Light travels at 299,792 km per second in a vacuum.",
  },
  {
    topic: "Amazon River",
    words: ["amazon", "river"],
    fact: "The Amazon River is about 6,400 km long and carries more water than any other river.",
  },
  {
    topic: "Mars",
    words: ["mars", "planet", "red"],
    fact: "Mars is the fourth planet from the Sun; a day there lasts 24 hours and 37 minutes.",
  },
  {
    topic: "Honey bees",
    words: ["bee", "bees", "honey", "hive"],
    fact: "A honey bee colony can hold 50,000 bees in summer; only the queen lays eggs.",
  },
  {
    topic: "TypeScript",
    words: ["typescript", "javascript"],
    fact: "TypeScript is a typed superset of JavaScript, first released by Microsoft in 2012.",
  },
];

/** The facts whose key words the query mentions, best match first (at most two). */
export function lookupFacts(query: string): string[] {
  const words = new Set((query.toLowerCase().match(/[a-z0-9]+/g) ?? []).map((w) => w.replace(/s$/, "")));
  return FACTS.map((f) => ({ f, hits: f.words.filter((w) => words.has(w.replace(/s$/, ""))).length }))
    .filter((x) => x.hits > 0)
    .sort((a, b) => b.hits - a.hits)
    .slice(0, 2)
    .map((x) => x.f.fact);
}

export const lookupFact = tool({
  name: "lookup_fact",
  description: `Looks up short facts in a small offline fact list. Topics: ${FACTS.map((f) => f.topic).join(", ")}.`,
  input: z.object({ query: z.string().min(1).max(200).describe("Key words of what to look up") }),
  execute: ({ query }) => {
    const found = lookupFacts(query);
    return found.length
      ? found.join(" ")
      : `No fact found for '${query}'. Known topics: ${FACTS.map((f) => f.topic).join(", ")}.`;
  },
});
