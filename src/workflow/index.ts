export { Workflow } from "./workflow.js";
export type { WorkflowOptions } from "./workflow.js";
export { step, parallel, condition, loop, router } from "./steps.js";
export type {
  StepInput,
  LoopState,
  StepFunction,
  StepKind,
  StepChoice,
  StepLike,
  StepResult,
  WorkflowStep,
  AgentStep,
  TeamStep,
  FunctionStep,
  ParallelStep,
  ConditionStep,
  LoopStep,
  RouterStep,
} from "./steps.js";
export { StepFailedError } from "./step-executor.js";
