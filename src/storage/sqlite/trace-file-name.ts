/** Where SQLite keeps a database file's traces: beside it, `agentos.db` → `agentos.traces.db`. */
export function traceFileOf(file: string): string {
  const dot = file.lastIndexOf(".");
  const slash = Math.max(file.lastIndexOf("/"), file.lastIndexOf("\\"));
  return dot > slash + 1 ? `${file.slice(0, dot)}.traces${file.slice(dot)}` : `${file}.traces`;
}
