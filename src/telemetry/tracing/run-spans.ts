import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Attributes, Context, Span, Tracer } from "@opentelemetry/api";
import type { OpenEvent, RunEvent, RunOutput, ToolExecution } from "../../run/index.js";
import type { ObservedRun, RunWatch } from "../../runtime/index.js";
import { parseTraceparent } from "./traceparent.js";

/** Marks the span a stored trace is named after (the top-level run of this process). */
export const TRACE_ROOT = "agentos.trace_root";

const RUN_ENDS = new Set(["RunCompleted", "RunError", "RunCancelled", "RunPaused"]);
const WORKFLOW_ENDS = new Set(["WorkflowCompleted", "WorkflowError", "WorkflowCancelled", "WorkflowPaused"]);

interface OpenSpan {
  span: Span;
  runId: string;
}

/**
 * The spans of one top-level run, made from its event stream as it leaves the run: a span per run
 * (team members and workflow steps' runs nested under their parent), model request (GenAI
 * semantic conventions), tool call, knowledge search, workflow step and memory update. Parents are
 * passed explicitly, so no global context manager is needed.
 */
export class RunSpans implements RunWatch {
  readonly #tracer: Tracer;
  readonly #rootRunId: string;
  readonly #runs = new Map<string, { span: Span; ctx: Context }>();
  /** Open model, tool, step and memory spans, by a key of their kind and id. */
  readonly #open = new Map<string, OpenSpan>();
  readonly #steps = new Map<string, Context>();

  constructor(tracer: Tracer, run: ObservedRun) {
    this.#tracer = tracer;
    this.#rootRunId = run.runId;
    const remote = parseTraceparent(run.traceParent);
    const parent = remote ? trace.setSpanContext(ROOT_CONTEXT, { ...remote, isRemote: true }) : ROOT_CONTEXT;
    this.#startRun(run.runId, run.kind, run.componentId, run.componentName, parent, {
      [TRACE_ROOT]: true,
      "agentos.session_id": run.sessionId,
      ...(run.userId ? { "agentos.user_id": run.userId } : {}),
      ...(run.continued ? { "agentos.run.continued": true } : {}),
    });
  }

  event(event: RunEvent): void {
    const ev = event as OpenEvent;
    const name = ev.team_id && ev.event.startsWith("Team") ? ev.event.slice(4) : ev.event;
    const runId = ev.run_id;
    switch (name) {
      case "RunStarted":
      case "WorkflowStarted":
        if (!this.#runs.has(runId)) this.#startNested(ev, name);
        this.#runs.get(runId)?.span.setAttributes(modelAttributes(ev));
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
        this.#endChild(`m:${runId}`, SpanStatusCode.OK, undefined, {
          "gen_ai.response.model": str(ev.model),
          "gen_ai.usage.input_tokens": num(ev.input_tokens),
          "gen_ai.usage.output_tokens": num(ev.output_tokens),
          "gen_ai.usage.cache_read.input_tokens": num(ev.cache_read_tokens),
          "gen_ai.usage.cache_creation.input_tokens": num(ev.cache_write_tokens),
          "agentos.usage.reasoning_tokens": num(ev.reasoning_tokens),
          ...(typeof ev.time_to_first_token === "number"
            ? { "agentos.time_to_first_token_ms": Math.round(ev.time_to_first_token * 1000) }
            : {}),
        });
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
          this.#open.get(`s:${str(ev.step_id)}`)?.span.addEvent("retry", { error: str(ev.error) });
        else this.#endChild(`s:${str(ev.step_id)}`, SpanStatusCode.ERROR, str(ev.error));
        return;
    }
    if (RUN_ENDS.has(name) || WORKFLOW_ENDS.has(name)) this.#endRun(ev, name);
  }

  end(output: RunOutput | undefined): void {
    for (const [key, open] of this.#open) {
      open.span.end();
      this.#open.delete(key);
    }
    for (const [runId, run] of [...this.#runs].reverse()) {
      if (runId === this.#rootRunId) {
        if (output) run.span.setAttribute("agentos.run.status", output.status);
        if (!output || output.status === "ERROR")
          run.span.setStatus({
            code: SpanStatusCode.ERROR,
            message: output?.error ?? "the run failed before it started",
          });
      }
      run.span.end();
    }
    this.#runs.clear();
  }

  #startRun(runId: string, kind: string, id: string, name: string, parent: Context, extra: Attributes): void {
    const span = this.#tracer.startSpan(
      `${kind}.run ${name}`,
      {
        kind: SpanKind.INTERNAL,
        attributes: {
          "agentos.run_id": runId,
          "agentos.component.kind": kind,
          [`agentos.${kind}_id`]: id,
          ...(kind === "agent"
            ? { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.id": id, "gen_ai.agent.name": name }
            : {}),
          ...extra,
        },
      },
      parent,
    );
    this.#runs.set(runId, { span, ctx: trace.setSpan(parent, span) });
  }

  /** A team member's or workflow step's run: under its step when it runs in one, else under its parent run. */
  #startNested(ev: OpenEvent, name: string): void {
    const kind = name === "WorkflowStarted" ? "workflow" : ev.event.startsWith("Team") ? "team" : "agent";
    const id = kind === "agent" ? ev.agent_id : kind === "team" ? ev.team_id : ev.workflow_id;
    const label = kind === "agent" ? ev.agent_name : kind === "team" ? ev.team_name : ev.workflow_name;
    const parent =
      (ev.step_id && this.#steps.get(ev.step_id)) ||
      (ev.parent_run_id && this.#runs.get(ev.parent_run_id)?.ctx) ||
      this.#runs.get(this.#rootRunId)?.ctx ||
      ROOT_CONTEXT;
    this.#startRun(ev.run_id, kind, id ?? "", label ?? id ?? "", parent, {
      "agentos.session_id": ev.session_id,
      ...(ev.parent_run_id ? { "agentos.parent_run_id": ev.parent_run_id } : {}),
    });
  }

  #startStep(ev: OpenEvent): void {
    const stepId = str(ev.step_id);
    const parentStep = typeof ev.parent_step_id === "string" ? this.#steps.get(ev.parent_step_id) : undefined;
    const parent = parentStep ?? this.#runs.get(ev.run_id)?.ctx ?? ROOT_CONTEXT;
    const span = this.#tracer.startSpan(
      `workflow.step ${str(ev.step_name)}`,
      {
        attributes: {
          "agentos.step_id": stepId,
          "agentos.step_name": str(ev.step_name),
          "agentos.step_type": str(ev.step_type),
          ...(typeof ev.step_index === "number" ? { "agentos.step_index": ev.step_index } : {}),
        },
      },
      parent,
    );
    this.#open.set(`s:${stepId}`, { span, runId: ev.run_id });
    this.#steps.set(stepId, trace.setSpan(parent, span));
  }

  #startChild(key: string, runId: string, name: string, kind: SpanKind, attributes: Attributes): void {
    const parent = this.#runs.get(runId)?.ctx ?? ROOT_CONTEXT;
    this.#open.get(key)?.span.end(); // a request that never said it ended
    this.#open.set(key, { span: this.#tracer.startSpan(name, { kind, attributes }, parent), runId });
  }

  #endChild(key: string, code: SpanStatusCode, message?: string, attributes: Attributes = {}): void {
    const open = this.#open.get(key);
    if (!open) return;
    this.#open.delete(key);
    open.span.setAttributes(attributes);
    open.span.setStatus(message === undefined ? { code } : { code, message });
    open.span.end();
  }

  #endRun(ev: OpenEvent, name: string): void {
    const run = this.#runs.get(ev.run_id);
    if (!run) return; // RunCompleted after RunCancelled: the span has ended
    // What the run left open (a model request or tool cut short by a cancel) ends with it.
    for (const [key, open] of this.#open)
      if (open.runId === ev.run_id) {
        open.span.end();
        this.#open.delete(key);
      }
    const status = name.endsWith("Completed")
      ? "COMPLETED"
      : name.endsWith("Error")
        ? "ERROR"
        : name.endsWith("Cancelled")
          ? "CANCELLED"
          : "PAUSED";
    run.span.setAttribute("agentos.run.status", status);
    const metrics = ev.metrics as Partial<Record<string, number>> | undefined;
    if (metrics)
      run.span.setAttributes({
        "gen_ai.usage.input_tokens": num(metrics.input_tokens),
        "gen_ai.usage.output_tokens": num(metrics.output_tokens),
      });
    if (status === "ERROR") {
      const message = str(ev.content ?? ev.error ?? "error");
      run.span.setStatus({ code: SpanStatusCode.ERROR, message });
      if (ev.error_type) run.span.setAttribute("error.type", str(ev.error_type));
    } else if (status === "COMPLETED" || status === "PAUSED") {
      run.span.setStatus({ code: SpanStatusCode.OK });
    }
    run.span.end();
    this.#runs.delete(ev.run_id);
  }
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
