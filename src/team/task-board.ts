import type { EventChannel, EventFactory } from "../run/index.js";
import type { TeamMember } from "./team-options.js";

export type TaskStatus = "pending" | "in_progress" | "completed" | "failed" | "cancelled";

/** One task of a tasks-mode team, with Agno's fields. */
export interface TeamTask {
  id: string;
  title: string;
  description: string;
  status: TaskStatus;
  assignee: string | null;
  dependencies: string[];
  result: string | null;
}

const RESULT_IN_PROMPT = 2000;

/**
 * The task list a tasks-mode leader keeps. Every change is announced on the run's stream
 * (TeamTaskCreated, TeamTaskUpdated) through the channel, in the order it happens.
 */
export class TaskBoard {
  readonly tasks: TeamTask[] = [];
  goalComplete = false;
  completionSummary: string | null = null;
  /** Bumped on every change, so a round can tell whether the leader did anything. */
  version = 0;
  #next = 1;

  constructor(
    private readonly members: readonly TeamMember[],
    private readonly events: EventFactory,
    private readonly channel: EventChannel,
  ) {}

  get(id: string): TeamTask {
    const task = this.tasks.find((t) => t.id === id);
    if (!task) throw new Error(`No task '${id}'; tasks: ${this.tasks.map((t) => t.id).join(", ") || "none"}`);
    return task;
  }

  #member(id: string): string {
    if (!this.members.some((m) => m.id === id))
      throw new Error(`No member '${id}'; members: ${this.members.map((m) => m.id).join(", ")}`);
    return id;
  }

  create(init: {
    title: string;
    description?: string;
    assignee?: string;
    dependencies?: string[];
  }): TeamTask {
    const dependencies = (init.dependencies ?? []).map((d) => this.get(d).id);
    const task: TeamTask = {
      id: `task-${this.#next++}`,
      title: init.title,
      description: init.description ?? "",
      status: "pending",
      assignee: init.assignee ? this.#member(init.assignee) : null,
      dependencies,
      result: null,
    };
    this.tasks.push(task);
    this.version++;
    this.channel.push(
      this.events.raw("TeamTaskCreated", {
        task_id: task.id,
        title: task.title,
        description: task.description,
        assignee: task.assignee,
        status: task.status,
        dependencies: task.dependencies,
      }),
    );
    return task;
  }

  update(
    id: string,
    change: Partial<Pick<TeamTask, "title" | "description" | "status" | "assignee" | "result">>,
  ): TeamTask {
    const task = this.get(id);
    const previous = task.status;
    if (change.assignee) change.assignee = this.#member(change.assignee);
    Object.assign(task, change);
    this.version++;
    this.channel.push(
      this.events.raw("TeamTaskUpdated", {
        task_id: task.id,
        title: task.title,
        status: task.status,
        previous_status: previous,
        result: task.result,
        assignee: task.assignee,
      }),
    );
    return task;
  }

  completeGoal(summary: string): void {
    this.goalComplete = true;
    this.completionSummary = summary;
    this.version++;
  }

  /** Assigned pending tasks whose dependencies are completed. */
  ready(): TeamTask[] {
    const done = new Set(this.tasks.filter((t) => t.status === "completed").map((t) => t.id));
    return this.tasks.filter(
      (t) => t.status === "pending" && t.assignee !== null && t.dependencies.every((d) => done.has(d)),
    );
  }

  summary(): string {
    if (!this.tasks.length) return "No tasks yet";
    const counts = new Map<TaskStatus, number>();
    for (const t of this.tasks) counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
    return `${this.tasks.length} task${this.tasks.length === 1 ? "" : "s"}: ${[...counts].map(([s, n]) => `${n} ${s}`).join(", ")}`;
  }

  /** The TeamTaskStateUpdated payload. */
  state(): Record<string, unknown> {
    return {
      task_summary: this.summary(),
      goal_complete: this.goalComplete,
      tasks: this.tasks.map((t) => ({ ...t, dependencies: [...t.dependencies] })),
      completion_summary: this.completionSummary,
    };
  }

  /** The task list as the leader reads it at the start of a round. */
  render(round: number, maxRounds: number): string {
    const lines = this.tasks.map((t) => {
      const who = t.assignee ? ` -> ${t.assignee}` : " (unassigned)";
      const deps = t.dependencies.length ? `, depends on ${t.dependencies.join(", ")}` : "";
      const result = t.result === null ? "" : `\n  Result: ${clip(t.result)}`;
      return `- ${t.id} [${t.status}] ${t.title}${who}${deps}${result}`;
    });
    return `Round ${round} of ${maxRounds}. Task list:\n${lines.join("\n") || "(no tasks yet)"}`;
  }

  /** What the member assigned to `task` is asked. */
  taskMessage(task: TeamTask, goal: string): string {
    const parts = [`Task: ${task.title}`];
    if (task.description) parts.push(task.description);
    parts.push(`Overall goal: ${goal}`);
    const deps = task.dependencies.map((d) => this.get(d));
    if (deps.length)
      parts.push(
        `Results of the tasks this one depends on:\n${deps.map((d) => `- ${d.title}: ${d.result ?? ""}`).join("\n")}`,
      );
    return parts.join("\n\n");
  }
}

function clip(text: string): string {
  return text.length > RESULT_IN_PROMPT ? `${text.slice(0, RESULT_IN_PROMPT - 1)}…` : text;
}
