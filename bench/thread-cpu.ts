import { readFileSync } from "node:fs";

/** User + system CPU microseconds of a process (all its threads), from /proc (Linux); NaN elsewhere. */
export function processCpuUs(pid: number): number {
  return statCpuUs(`/proc/${pid}/stat`);
}

/** The same for a process's main thread alone: the one that serves requests. */
export function mainThreadCpuUs(pid = process.pid): number {
  return statCpuUs(`/proc/${pid}/task/${pid}/stat`);
}

function statCpuUs(path: string): number {
  try {
    const fields = readFileSync(path, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) * (1_000_000 / 100); // in clock ticks of 1/100 s
  } catch {
    return NaN;
  }
}
