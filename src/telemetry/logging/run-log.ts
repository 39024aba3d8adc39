import type { Logger } from "pino";
import type { RunOutput } from "../../run/index.js";
import type { ObservedRun, RunObserver, RunWatch } from "../../runtime/index.js";

/**
 * One log line when a run starts and one when it ends, with its ids, status, duration and tokens.
 * Never the messages or the answer: run content stays out of logs at every level.
 */
export class RunLog implements RunObserver {
  constructor(private readonly logger: Logger) {}

  runStarted(run: ObservedRun): RunWatch | undefined {
    if (!this.logger.isLevelEnabled("info")) return undefined;
    const log = this.logger.child({
      ...(run.requestId ? { reqId: run.requestId } : {}),
      run_id: run.runId,
      session_id: run.sessionId,
      user_id: run.userId,
      component_kind: run.kind,
      component_id: run.componentId,
    });
    log.info({ continued: run.continued || undefined }, "run started");
    return {
      event: () => {},
      end: (output: RunOutput | undefined) => {
        if (!output) {
          log.info({ status: "ERROR" }, "run refused before it started");
          return;
        }
        const m = output.metrics;
        log.info(
          {
            status: output.status,
            duration_ms: Math.round(m.time * 1000),
            input_tokens: m.input_tokens,
            output_tokens: m.output_tokens,
            model_requests: m.model_requests,
            tool_calls: m.tool_calls,
          },
          "run ended",
        );
      },
    };
  }
}
