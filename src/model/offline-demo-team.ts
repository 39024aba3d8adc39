import type { JSONSchema7, LanguageModelV3CallOptions } from "@ai-sdk/provider";
import { asksForTime, findArithmetic, keyWords, outputText } from "./offline-demo-intents.js";
import type { ResultSeen } from "./offline-demo-intents.js";

/**
 * What the offline demo model does as a team leader: it reads the members offered in a
 * delegation tool's `member_id` schema (described constants), picks those whose description
 * best matches the request by key words and tools, and after their answers writes a short
 * synthesis. Deterministic: ties go to the member listed first.
 */

export const DELEGATION_TOOLS = ["delegate_task_to_member", "route_to_member"] as const;
type DelegationTool = (typeof DELEGATION_TOOLS)[number];

export interface MemberSeen {
  id: string;
  description: string;
}

export function isDelegationTool(name: string): name is DelegationTool {
  return (DELEGATION_TOOLS as readonly string[]).includes(name);
}

/** The members a delegation tool offers, from its `member_id` parameter. */
export function membersOffered(options: LanguageModelV3CallOptions, toolName: string): MemberSeen[] {
  const tool = options.tools?.find((t) => t.type === "function" && t.name === toolName);
  if (tool?.type !== "function") return [];
  const param = (tool.inputSchema.properties?.member_id ?? {}) as JSONSchema7;
  const choices = (param.anyOf ?? param.oneOf ?? [param]) as JSONSchema7[];
  const members = choices.flatMap((c) =>
    typeof c.const === "string" ? [{ id: c.const, description: c.description ?? "" }] : [],
  );
  if (members.length) return members;
  return (param.enum ?? []).flatMap((id) => (typeof id === "string" ? [{ id, description: id }] : []));
}

/** "writers" and "writer" and "writing" meet at "writ". */
function stem(word: string): string {
  const w = word.toLowerCase();
  const cut = w.replace(/(?:ing|ers|er|es|ed|s)$/, "");
  return cut.length >= 3 ? cut : w;
}

/** How well a member fits a request: shared key words, plus the tools the request needs. */
function score(request: string, member: MemberSeen): number {
  const theirs = new Set((member.description.match(/[\p{L}\p{N}]+/gu) ?? []).map(stem));
  theirs.add(stem(member.id));
  let points = keyWords(request, 50).filter((w) => theirs.has(stem(w))).length;
  if (findArithmetic(request) !== undefined && /calculat/i.test(member.description)) points += 2;
  if (asksForTime(request) && /\b(clock|current_time|time)\b/i.test(member.description)) points += 2;
  return points;
}

/** Members ranked by fit, best first (ties in the order they were offered). */
function ranked(request: string, members: MemberSeen[]): { member: MemberSeen; points: number }[] {
  return members
    .map((member, i) => ({ member, points: score(request, member), i }))
    .sort((a, b) => b.points - a.points || a.i - b.i);
}

/**
 * The delegation calls for a request: coordinate mode asks every member that fits (or the
 * first, when none does); route mode hands it to the best untried member.
 */
export function delegationCalls(
  options: LanguageModelV3CallOptions,
  toolName: DelegationTool,
  request: string,
  tried: ReadonlySet<string> = new Set(),
): { toolName: string; input: object }[] {
  const members = membersOffered(options, toolName).filter((m) => !tried.has(m.id));
  if (!members.length) return [];
  const order = ranked(request, members);
  if (toolName === "route_to_member") return [{ toolName, input: { member_id: order[0].member.id } }];
  const fitting = order.filter((o) => o.points > 0);
  const chosen = (fitting.length ? fitting : order.slice(0, 1)).sort(
    (a, b) => members.indexOf(a.member) - members.indexOf(b.member),
  );
  return chosen.map(({ member }) => ({ toolName, input: { member_id: member.id, task: request } }));
}

/** The leader's answer once the members have answered: one line per member. */
export function teamAnswer(results: ResultSeen[]): string {
  const lines = results.map(({ part, input }) => {
    const id = (input as { member_id?: unknown } | undefined)?.member_id;
    const who = typeof id === "string" ? id : part.toolName;
    const text = outputText(part.output).trim();
    if (part.output.type === "error-text" || part.output.type === "error-json")
      return `- ${who} could not help: ${text.replace(/^Error:\s*/, "")}`;
    return `- ${who}: ${text}`;
  });
  return `Here is what the team found:\n${lines.join("\n")}`;
}

/** Members a route-mode leader already tried in this conversation. */
export function routedMembers(prompt: LanguageModelV3CallOptions["prompt"]): Set<string> {
  const tried = new Set<string>();
  for (const m of prompt)
    if (m.role === "assistant")
      for (const p of m.content)
        if (p.type === "tool-call" && p.toolName === "route_to_member") {
          const id = (p.input as { member_id?: unknown } | undefined)?.member_id;
          if (typeof id === "string") tried.add(id);
        }
  return tried;
}
