// Runs the harness CLI's `main` in-process with console output captured, for
// the simulator's CLI tests.

import { main } from "../../../lib/harness/main.ts";

/** What one `main` call printed and returned. */
export interface MainRun {
  code: number;
  /** console.log lines (the report, Replay:, Shrunk:, determinism lines). */
  out: string[];
  /** console.error lines (progress, warnings, usage errors). */
  err: string[];
}

/** Runs `main(args)`, capturing console.log and console.error. */
export async function runMain(args: string[]): Promise<MainRun> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...parts: unknown[]) => out.push(parts.join(" "));
  console.error = (...parts: unknown[]) => err.push(parts.join(" "));
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    console.log = log;
    console.error = error;
  }
}

/** The words of a POSIX shell command line, as `sh` splits them. */
export async function shellWords(command: string): Promise<string[]> {
  const result = await new Deno.Command("sh", {
    args: ["-c", `printf '%s\\0' ${command}`],
    stdout: "piped",
  }).output();
  if (!result.success) throw new Error(`sh could not split: ${command}`);
  const text = new TextDecoder().decode(result.stdout);
  return text.split("\0").slice(0, -1);
}
