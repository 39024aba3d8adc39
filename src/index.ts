/** AgentOS for TypeScript: the public API. */
export { AgentOS } from "./os/index.js";
export type { AgentOSOptions, ServeOptions } from "./os/index.js";
export { Agent } from "./agent/index.js";
export type { AgentOptions, ModelLike } from "./agent/index.js";
export { Team, TEAM_MODES } from "./team/index.js";
export type { TeamMember, TeamMode, TeamOptions, TeamTask, TaskStatus } from "./team/index.js";
export { Workflow, step, parallel, condition, loop, router, StepFailedError } from "./workflow/index.js";
export type {
  WorkflowOptions,
  WorkflowStep,
  StepInput,
  StepResult,
  StepFunction,
  StepLike,
  LoopState,
} from "./workflow/index.js";
export { tool, toolkit } from "./tool/index.js";
export type { Tool, ToolContext, Toolkit, ToolLike, ToolOptions } from "./tool/index.js";
export {
  resolveModel,
  describeModel,
  parseModelSpec,
  withRetry,
  ScriptedModel,
  OfflineDemoModel,
  ModelRequestError,
} from "./model/index.js";
export type { ScriptStep, ScriptTurn, RetryOptions } from "./model/index.js";
// From their modules, not the knowledge index: readers, chunkers and fetching load on first use.
export { Knowledge } from "./knowledge/knowledge.js";
export { HashingEmbedder } from "./knowledge/embedders/hashing-embedder.js";
export type {
  KnowledgeOptions,
  ContentInput,
  ChunkingOptions,
  FetchPolicy,
  SearchOptions,
  SearchResult,
  SearchType,
  KnowledgeReferences,
} from "./knowledge/index.js";
export { SqliteDb, LazyStore } from "./storage/index.js";
export type {
  Store,
  SqliteDbOptions,
  SessionRecord,
  ContentRecord,
  MemoryRecord,
  MetadataFilters,
} from "./storage/index.js";
export { RunManager, LocalRunBus } from "./runtime/index.js";
export type { RunBus, LiveRun, RunRequest } from "./runtime/index.js";
export * from "./run/index.js";
export * from "./errors.js";
export { ADMIN_SCOPE, hasScope, OpenAuthenticator, SecurityKeyAuthenticator } from "./server/auth/index.js";
export type {
  Authenticator,
  AuthMode,
  AuthSettings,
  JwtSettings,
  Principal,
  RequestCredentials,
} from "./server/auth/index.js";
export { MemoryRateLimitCounter } from "./server/rate-limit/index.js";
export type { RateLimitCounter, RateLimitSpec } from "./server/rate-limit/index.js";
