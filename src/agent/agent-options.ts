import type { LanguageModelV3 } from "@ai-sdk/provider";
import type { z } from "zod";
import type { Knowledge } from "../knowledge/index.js";
import type { RunPolicy } from "../run/index.js";
import type { MetadataFilters, Store } from "../storage/index.js";
import type { ToolLike } from "../tool/index.js";

/** A model: an AI SDK language model object, or a "provider:model_id" string such as "openai:gpt-4o". */
export type ModelLike = LanguageModelV3 | string;

export interface AgentOptions {
  /** Defaults to a slug of the name ("Research Assistant" -> "research-assistant"). */
  id?: string;
  name: string;
  description?: string;
  /** A role, as a team leader sees it. */
  role?: string;
  model: ModelLike;
  instructions?: string | string[];
  tools?: ToolLike[];
  /** Where runs and sessions are kept; an AgentOS gives its own db to agents without one. */
  db?: Store;
  /** Put earlier runs of the session into the prompt. Default false. */
  addHistoryToContext?: boolean;
  /** How many earlier runs. Default 3. */
  numHistoryRuns?: number;
  /** The initial state of each new session; a run's session_state is merged over it. */
  sessionState?: Record<string, unknown>;
  /** Ask the model for JSON matching this schema; the run's content is the parsed object. */
  outputSchema?: z.ZodType;
  /** The most tool calls one run may make; later calls get an error result. */
  toolCallLimit?: number;
  /** The most model requests one run may make (a guard against loops). Default 20. */
  maxModelRequests?: number;
  /** Sampling settings passed to the model. */
  temperature?: number;
  maxOutputTokens?: number;
  /** How the OS treats concurrent runs of one session and disconnecting stream clients. */
  concurrentRuns?: RunPolicy["concurrentRuns"];
  onDisconnect?: RunPolicy["onDisconnect"];
  metadata?: Record<string, unknown>;
  /** A knowledge base the agent can search (docs/knowledge.md). */
  knowledge?: Knowledge;
  /** Give the model a `search_knowledge` tool. Default true when there is knowledge. */
  searchKnowledge?: boolean;
  /** Search the knowledge with the user's message before the model runs and put the results in the system message. Default false. */
  addKnowledgeToContext?: boolean;
  /** Metadata filters applied to every knowledge search of this agent. */
  knowledgeFilters?: MetadataFilters;
  /** After each run, a model call extracts what is worth remembering about the user (docs/memory.md). Default false. */
  enableUserMemories?: boolean;
  /** Give the model tools to add, update and delete the user's memories. Default false. */
  enableAgenticMemory?: boolean;
  /** Put the user's memories into the system message when memory is on. Default true. */
  addMemoriesToContext?: boolean;
  /** Keep a summary of each session, updated after each run. Default false. */
  enableSessionSummaries?: boolean;
  /** The model for memory extraction and session summaries. Default: the agent's model. */
  memoryModel?: ModelLike;
}
