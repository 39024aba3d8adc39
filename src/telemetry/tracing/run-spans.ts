import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { Attributes, Span, SpanContext } from "@opentelemetry/api";
import type { OpenEvent, RunEvent, RunNote, RunOutput, ToolExecution } from "../../run/index.js";
import type { ObservedRun, RunWatch } from "../../runtime/index.js";
import type { RunTracer } from "./run-tracer.js";
import { parseTraceparent } from "./traceparent.js";

/** Marks the span a stored trace is named after (the top-level run of this process). */
export const TRACE_ROOT = "agentos.trace_root";

const ORIGIN = performance.timeOrigin;

/** Epoch milliseconds, to the microsecond: the same clock in every thread, unlike performance.now(). */
export function epochNow(): number {
  return toEpoch(performance.now());
}

/** A performance.now() time of this thread as epoch milliseconds. */
export function toEpoch(performanceMs: number): number {
  return ORIGIN + performanceMs;
}

const RUN_ENDS = new Set(["RunCompleted", "RunError", "RunCancelled", "RunPaused"]);
const WORKFLOW_ENDS = new Set(["WorkflowCompleted", "WorkflowError", "WorkflowCancelled", "WorkflowPaused"]);
const AGENT_EVENTS = [
  "RunStarted",
  "ModelRequestStarted",
  "ModelRequestCompleted",
  "ToolCallStarted",
  "ToolCallCompleted",
  "ToolCallError",
  "MemoryUpdateStarted",
  "MemoryUpdateCompleted",
  "SessionSummaryStarted",
  "SessionSummaryCompleted",
  ...RUN_ENDS,
];
/** The events spans are made of (a team's carry a Team prefix); content deltas and the like are not. */
export const TRACED = new Set([
  ...AGENT_EVENTS,
  ...AGENT_EVENTS.map((e) => `Team${e}`),
  "WorkflowStarted",
  ...WORKFLOW_ENDS,
  "StepStarted",
  "StepCompleted",
  "StepError",
]);

interface OpenSpan {
  span: Span;
  runId: string;
}

/**
 * The spans of one top-level run, made from its event stream: a span per run (team members and
 * workflow steps' runs nested under their parent), model request (GenAI semantic conventions),
 * tool call, knowledge search, workflow step and memory update. Parents are passed explicitly as
 * span contexts, so no context manager (nor a Context per span) is needed.
 *
 * As the run goes, only the events spans are made of are noted, with their time; the spans are
 * built later by `build()`, which the tracer calls for many runs at once: in one loop over
 * hundreds of runs the work costs about half what it does event by event between the runs' steps.
 */
export class RunSpans implements RunWatch {
  readonly #tracer: RunTracer;
  readonly #run: ObservedRun;
  readonly #rootRunId: string;
  readonly #startedAt: number;
  readonly #schedule: (spans: RunSpans) => void;
  #scheduled = false;
  #rootStarted = false;
  /** Notes of nested runs whose span has not started yet. */
  #early: RunNote[] = [];
  /** Noted events and their times (epoch ms), alternating, not yet built into spans. */
  #noted: (OpenEvent | RunNote | number)[] = [];
  #ended: { output: Pick<RunOutput, "status" | "error"> | undefined; at: number } | undefined;
  /** The time of the event being built: where spans start and end. */
  #time = 0;
  readonly #runs = new Map<string, Span>();
  /** Open model, tool, step and memory spans, by a key of their kind and id. */
  readonly #open = new Map<string, OpenSpan>();
  /** Workflow steps' spans by step id: the parents of the runs inside them. */
  readonly #steps = new Map<string, Span>();

  /** Times are epoch milliseconds; left out, now. */
  constructor(
    tracer: RunTracer,
    run: ObservedRun,
    schedule: (spans: RunSpans) => void,
    startedAt = epochNow(),
  ) {
    this.#startedAt = startedAt;
    this.#tracer = tracer;
    this.#run = run;
    this.#rootRunId = run.runId;
    this.#schedule = schedule;
  }

  event(event: RunEvent, at = epochNow()): void {
    if (this.#ended || !TRACED.has(event.event)) return;
    this.#noted.push(event as OpenEvent, at);
    this.#wantBuild();
  }

  note(note: RunNote): void {
    if (this.#ended) return;
    this.#noted.push(note, note.started);
    this.#wantBuild();
  }

  end(output: Pick<RunOutput, "status" | "error"> | undefined, at = epochNow()): void {
    if (this.#ended) return;
    this.#ended = { output, at };
    this.#wantBuild();
  }

  /** Makes spans of what was noted since the last build; ends them all if the run has ended. */
  build(): void {
    this.#scheduled = false;
    if (!this.#rootStarted) {
      this.#rootStarted = true;
      this.#startRoot();
    }
    const noted = this.#noted;
    this.#noted = [];
    for (let i = 0; i < noted.length; i += 2) {
      this.#time = noted[i + 1] as number;
      const ev = noted[i] as OpenEvent | RunNote;
      if (ev.event === "KnowledgeLookup") this.#lookup(ev as RunNote);
      else this.#apply(ev as OpenEvent);
    }
    if (this.#ended && (this.#runs.size || this.#open.size)) {
      this.#time = this.#ended.at;
      this.#finish(this.#ended.output);
    }
  }

  #wantBuild(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#schedule(this);
  }

  #startRoot(): void {
    const run = this.#run;
    this.#time = this.#startedAt;
    const remote = parseTraceparent(run.traceParent);
    this.#startRun(
      run.runId,
      run.kind,
      run.componentId,
      run.componentName,
      remote && { ...remote, isRemote: true },
      {
        [TRACE_ROOT]: true,
        "agentos.session_id": run.sessionId,
        ...(run.userId ? { "agentos.user_id": run.userId } : {}),
        ...(run.continued ? { "agentos.run.continued": true } : {}),
      },
    );
  }

  #apply(ev: OpenEvent): void {
    const name = ev.team_id && ev.event.startsWith("Team") ? ev.event.slice(4) : ev.event;
    const runId = ev.run_id;
    switch (name) {
      case "RunStarted":
      case "WorkflowStarted":
        if (!this.#runs.has(runId)) this.#startNested(ev, name);
        this.#runs.get(runId)?.setAttributes(modelAttributes(ev));
        return;
      case "ModelRequestStarted":
        this.#startChild(`m:${runId}`, runId, `chat ${str(ev.model)}`, SpanKind.CLIENT, {
          "gen_ai.operation.name": "chat",
          "gen_ai.system": str(ev.model_provider),
          "gen_ai.provider.name": str(ev.model_provider),
          "gen_ai.request.model": str(ev.model),
        });
        return;
      case "ModelRequestCompleted":
        this.#endChild(`m:${runId}`, SpanStatusCode.OK, undefined, modelUsage(ev));
        return;
      case "ToolCallStarted": {
        const tool = ev.tool as ToolExecution;
        const knowledge = tool.tool_name === "search_knowledge";
        this.#startChild(
          `t:${tool.tool_call_id}`,
          runId,
          knowledge ? "knowledge.search" : `execute_tool ${tool.tool_name}`,
          SpanKind.INTERNAL,
          {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": tool.tool_name,
            "gen_ai.tool.call.id": tool.tool_call_id,
          },
        );
        return;
      }
      case "ToolCallCompleted":
      case "ToolCallError": {
        const tool = ev.tool as ToolExecution;
        const failed = name === "ToolCallError" || tool.tool_call_error === true;
        this.#endChild(
          `t:${tool.tool_call_id}`,
          failed ? SpanStatusCode.ERROR : SpanStatusCode.OK,
          failed ? str(ev.error ?? tool.result) : undefined,
          tool.child_run_id ? { "agentos.child_run_id": tool.child_run_id } : {},
        );
        return;
      }
      case "MemoryUpdateStarted":
        this.#startChild(`mem:${runId}`, runId, "memory.update", SpanKind.INTERNAL, {});
        return;
      case "MemoryUpdateCompleted":
        this.#endChild(`mem:${runId}`, SpanStatusCode.OK, undefined, {
          "agentos.memory.count": Array.isArray(ev.memories) ? ev.memories.length : 0,
        });
        return;
      case "SessionSummaryStarted":
        this.#startChild(`sum:${runId}`, runId, "session_summary.update", SpanKind.INTERNAL, {});
        return;
      case "SessionSummaryCompleted":
        this.#endChild(`sum:${runId}`, SpanStatusCode.OK);
        return;
      case "StepStarted":
        this.#startStep(ev);
        return;
      case "StepCompleted":
        this.#endChild(`s:${str(ev.step_id)}`, SpanStatusCode.OK);
        return;
      case "StepError":
        if (ev.will_retry)
          this.#open
            .get(`s:${str(ev.step_id)}`)
            ?.span.addEvent("retry", { error: str(ev.error) }, this.#time);
        else this.#endChild(`s:${str(ev.step_id)}`, SpanStatusCode.ERROR, str(ev.error));
        return;
    }
    if (RUN_ENDS.has(name) || WORKFLOW_ENDS.has(name)) this.#endRun(ev, name);
  }

  #finish(output: Pick<RunOutput, "status" | "error"> | undefined): void {
    const root = this.#runs.get(this.#rootRunId);
    if (root) this.#adoptEarly(root);
    for (const [key, open] of this.#open) {
      open.span.end(this.#time);
      this.#open.delete(key);
    }
    for (const [runId, span] of [...this.#runs].reverse()) {
      if (runId === this.#rootRunId) {
        if (output) span.setAttribute("agentos.run.status", output.status);
        if (!output || output.status === "ERROR")
          span.setStatus({
            code: SpanStatusCode.ERROR,
            message: output?.error ?? "the run failed before it started",
          });
      }
      span.end(this.#time);
    }
    this.#runs.clear();
  }

  /**
   * The automatic knowledge lookup before the first model request: a knowledge.search span of its
   * run. A nested run's note can come before its RunStarted event: it waits for the run's span.
   */
  #lookup(note: RunNote, parent = this.#runs.get(note.run_id)): void {
    if (!parent) {
      this.#early.push(note);
      return;
    }
    const span = this.#tracer.start(
      "knowledge.search",
      SpanKind.INTERNAL,
      { "agentos.knowledge.automatic": true, "agentos.knowledge.results": note.results },
      parent.spanContext(),
      note.started,
    );
    if (note.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: note.error });
    else span.setStatus({ code: SpanStatusCode.OK });
    span.end(note.ended);
  }

  /** Notes of nested runs whose start never came (they failed first) go under the top-level run. */
  #adoptEarly(root: Span): void {
    for (const note of this.#early.splice(0)) this.#lookup(note, root);
  }

  #startRun(
    runId: string,
    kind: string,
    id: string,
    name: string,
    parent: SpanContext | undefined,
    extra: Attributes,
  ): void {
    const span = this.#tracer.start(
      `${kind}.run ${name}`,
      SpanKind.INTERNAL,
      {
        "agentos.run_id": runId,
        "agentos.component.kind": kind,
        [`agentos.${kind}_id`]: id,
        ...(kind === "agent"
          ? { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.id": id, "gen_ai.agent.name": name }
          : {}),
        ...extra,
      },
      parent,
      this.#time,
    );
    this.#runs.set(runId, span);
    if (this.#early.length) {
      const mine = this.#early.filter((n) => n.run_id === runId);
      this.#early = this.#early.filter((n) => n.run_id !== runId);
      for (const n of mine) this.#lookup(n, span);
    }
  }

  /** A team member's or workflow step's run: under its step when it runs in one, else under its parent run. */
  #startNested(ev: OpenEvent, name: string): void {
    const kind = name === "WorkflowStarted" ? "workflow" : ev.event.startsWith("Team") ? "team" : "agent";
    const id = kind === "agent" ? ev.agent_id : kind === "team" ? ev.team_id : ev.workflow_id;
    const label = kind === "agent" ? ev.agent_name : kind === "team" ? ev.team_name : ev.workflow_name;
    const parent =
      (ev.step_id && this.#steps.get(ev.step_id)) ||
      (ev.parent_run_id && this.#runs.get(ev.parent_run_id)) ||
      this.#runs.get(this.#rootRunId);
    this.#startRun(ev.run_id, kind, id ?? "", label ?? id ?? "", parent?.spanContext(), {
      "agentos.session_id": ev.session_id,
      ...(ev.parent_run_id ? { "agentos.parent_run_id": ev.parent_run_id } : {}),
    });
  }

  #startStep(ev: OpenEvent): void {
    const stepId = str(ev.step_id);
    const parentStep = typeof ev.parent_step_id === "string" ? this.#steps.get(ev.parent_step_id) : undefined;
    const parent = parentStep ?? this.#runs.get(ev.run_id);
    const span = this.#tracer.start(
      `workflow.step ${str(ev.step_name)}`,
      SpanKind.INTERNAL,
      {
        "agentos.step_id": stepId,
        "agentos.step_name": str(ev.step_name),
        "agentos.step_type": str(ev.step_type),
        ...(typeof ev.step_index === "number" ? { "agentos.step_index": ev.step_index } : {}),
      },
      parent?.spanContext(),
      this.#time,
    );
    this.#open.set(`s:${stepId}`, { span, runId: ev.run_id });
    this.#steps.set(stepId, span);
  }

  #startChild(key: string, runId: string, name: string, kind: SpanKind, attributes: Attributes): void {
    const parent = this.#runs.get(runId)?.spanContext();
    this.#open.get(key)?.span.end(this.#time); // a request that never said it ended
    this.#open.set(key, { span: this.#tracer.start(name, kind, attributes, parent, this.#time), runId });
  }

  #endChild(key: string, code: SpanStatusCode, message?: string, attributes: Attributes = {}): void {
    const open = this.#open.get(key);
    if (!open) return;
    this.#open.delete(key);
    open.span.setAttributes(attributes);
    open.span.setStatus(message === undefined ? { code } : { code, message });
    open.span.end(this.#time);
  }

  #endRun(ev: OpenEvent, name: string): void {
    const span = this.#runs.get(ev.run_id);
    if (!span) return; // RunCompleted after RunCancelled: the span has ended
    if (ev.run_id === this.#rootRunId) this.#adoptEarly(span);
    // What the run left open (a model request or tool cut short by a cancel) ends with it.
    for (const [key, open] of this.#open)
      if (open.runId === ev.run_id) {
        open.span.end(this.#time);
        this.#open.delete(key);
      }
    const status = name.endsWith("Completed")
      ? "COMPLETED"
      : name.endsWith("Error")
        ? "ERROR"
        : name.endsWith("Cancelled")
          ? "CANCELLED"
          : "PAUSED";
    span.setAttribute("agentos.run.status", status);
    const metrics = ev.metrics as Partial<Record<string, number>> | undefined;
    if (metrics)
      span.setAttributes({
        "gen_ai.usage.input_tokens": num(metrics.input_tokens),
        "gen_ai.usage.output_tokens": num(metrics.output_tokens),
      });
    if (status === "ERROR") {
      const message = str(ev.content ?? ev.error ?? "error");
      span.setStatus({ code: SpanStatusCode.ERROR, message });
      if (ev.error_type) span.setAttribute("error.type", str(ev.error_type));
    } else if (status === "COMPLETED" || status === "PAUSED") {
      span.setStatus({ code: SpanStatusCode.OK });
    }
    span.end(this.#time);
    this.#runs.delete(ev.run_id);
  }
}

/** A model request's usage; cache and reasoning tokens only when there were any. */
function modelUsage(ev: OpenEvent): Attributes {
  const usage: Attributes = {
    "gen_ai.response.model": str(ev.model),
    "gen_ai.usage.input_tokens": num(ev.input_tokens),
    "gen_ai.usage.output_tokens": num(ev.output_tokens),
  };
  if (num(ev.cache_read_tokens)) usage["gen_ai.usage.cache_read.input_tokens"] = num(ev.cache_read_tokens);
  if (num(ev.cache_write_tokens))
    usage["gen_ai.usage.cache_creation.input_tokens"] = num(ev.cache_write_tokens);
  if (num(ev.reasoning_tokens)) usage["agentos.usage.reasoning_tokens"] = num(ev.reasoning_tokens);
  if (typeof ev.time_to_first_token === "number")
    usage["agentos.time_to_first_token_ms"] = Math.round(ev.time_to_first_token * 1000);
  return usage;
}

function modelAttributes(ev: OpenEvent): Attributes {
  return typeof ev.model === "string" && ev.model
    ? { "gen_ai.request.model": ev.model, "gen_ai.system": str(ev.model_provider) }
    : {};
}

function str(v: unknown): string {
  return typeof v === "string" ? v : v === undefined || v === null ? "" : JSON.stringify(v);
}

function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}
