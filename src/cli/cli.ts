import { TOKEN_USAGE, UsageError, tokenCommand } from "./token-command.js";

export const USAGE = `Usage: agentos <command> [options]

Commands:
  token    print a signed HS256 JWT for local testing (agentos token --help)`;

export interface CliIO {
  env: Record<string, string | undefined>;
  out(text: string): void;
  err(text: string): void;
}

/** Runs the `agentos` command line; resolves with the exit code. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    io.out(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command !== "token") {
    io.err(`Unknown command '${command}'\n\n${USAGE}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(TOKEN_USAGE);
    return 0;
  }
  try {
    io.out(await tokenCommand(rest, io.env));
    return 0;
  } catch (err) {
    io.err(
      err instanceof UsageError
        ? `${err.message}\n\n${TOKEN_USAGE}`
        : `agentos token: ${(err as Error).message}`,
    );
    return err instanceof UsageError ? 2 : 1;
  }
}
