/** Typed domain errors. The server maps them to HTTP in one place (server/error-handler.ts). */
export class AgentOSError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AgentOSError {
  /** Issues in the 422 shape: where, what and why. */
  constructor(
    message: string,
    readonly issues: ValidationIssue[] = [],
  ) {
    super(message, 422);
  }
}

export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

export class BadRequestError extends AgentOSError {
  constructor(message: string) {
    super(message, 400);
  }
}
export class UnauthorizedError extends AgentOSError {
  constructor(message = "Invalid authentication token") {
    super(message, 401);
  }
}
export class ForbiddenError extends AgentOSError {
  constructor(message = "Insufficient permissions") {
    super(message, 403);
  }
}
/** What was not found, so that each surface can word the message its own way. */
export type NotFoundSubject =
  "agent" | "team" | "workflow" | "session" | "run" | "memory" | "knowledge" | "content" | "trace" | "route";

export class NotFoundError extends AgentOSError {
  constructor(
    message: string,
    readonly subject?: NotFoundSubject,
  ) {
    super(message, 404);
  }
}
export class ConflictError extends AgentOSError {
  constructor(message: string) {
    super(message, 409);
  }
}
export class PayloadTooLargeError extends AgentOSError {
  constructor(message: string) {
    super(message, 413);
  }
}
export class RateLimitedError extends AgentOSError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, 429);
  }
}
export class UnavailableError extends AgentOSError {
  constructor(message: string) {
    super(message, 503);
  }
}

/** The message of anything thrown, for events and logs. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === "string") return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}
