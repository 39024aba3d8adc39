export const RunStatus = {
  PENDING: "PENDING",
  RUNNING: "RUNNING",
  COMPLETED: "COMPLETED",
  ERROR: "ERROR",
  CANCELLED: "CANCELLED",
  PAUSED: "PAUSED",
} as const;
export type RunStatus = (typeof RunStatus)[keyof typeof RunStatus];

export const RUN_STATUSES = Object.values(RunStatus) as RunStatus[];

/** A run in one of these states will not produce further events unless it is continued. */
export function isFinished(status: RunStatus): boolean {
  return status === "COMPLETED" || status === "ERROR" || status === "CANCELLED" || status === "PAUSED";
}
