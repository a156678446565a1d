/**
 * `deno task build`: makes `bin/<challenge>` for every challenge, so each can
 * be given to Maelstrom's `--bin` (which takes only an executable file).
 *
 * It tries `deno compile` first; that needs to download Deno's runtime
 * (`denort`), so offline it fails fast, and every challenge gets a launcher
 * instead: a small shell script that runs the pinned Deno on the `.ts` file
 * (lib/launcher.ts). Both work from any working directory.
 *
 * Usage: deno task build [--compile | --launcher] [challenge …]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { writeLauncher } from "../lib/launcher.ts";

/** How a binary was made. */
export type BuildKind = "compiled" | "launcher";

/** One built executable. */
export interface Built {
  name: string;
  path: string;
  kind: BuildKind;
}

/** `auto` tries compile and falls back to launchers. */
export type BuildMode = "auto" | "compile" | "launcher";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const COMPILE_TIMEOUT_MS = 120_000;

/** Names of every challenge in challenges/ (file names without `.ts`). */
export async function challengeNames(): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(`${ROOT}/challenges`)) {
    if (entry.isFile && entry.name.endsWith(".ts")) names.push(entry.name.slice(0, -3));
  }
  return names.sort();
}

/** Where and how to build; the defaults are the repository's `bin/` and `deno compile`. */
export interface BuildOptions {
  /** The directory the executables go to (default: `<repo>/bin`). */
  bin_dir?: string;
  /** Compiles `script` to `output`; returns undefined on success, else a one-line reason. */
  compile?: (script: string, output: string) => Promise<string | undefined>;
}

/**
 * Builds `<bin_dir>/<name>` for each named challenge (all when `names` is empty). Each
 * executable is made under a temporary name and renamed into place only when it is complete, so
 * a failed build (e.g. `--compile` offline) leaves the previous working executable alone.
 */
export async function buildChallenges(
  names: string[] = [],
  mode: BuildMode = "launcher",
  options: BuildOptions = {},
): Promise<Built[]> {
  const known = await challengeNames();
  const wanted = names.length > 0 ? names : known;
  for (const name of wanted) {
    if (!known.includes(name)) {
      throw new Error(`unknown challenge "${name}" (known: ${known.join(", ")})`);
    }
  }
  const bin_dir = options.bin_dir ?? `${ROOT}/bin`;
  const compile_with = options.compile ?? compile;
  await Deno.mkdir(bin_dir, { recursive: true });
  let can_compile = mode !== "launcher";
  const built: Built[] = [];
  for (const name of wanted) {
    const path = `${bin_dir}/${name}`;
    const temp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
    const script = `${ROOT}/challenges/${name}.ts`;
    try {
      if (can_compile) {
        const error = await compile_with(script, temp);
        if (error === undefined) {
          await Deno.rename(temp, path);
          built.push({ name, path, kind: "compiled" });
          continue;
        }
        if (mode === "compile") {
          throw new Error(`deno compile failed for ${name}: ${error} (${path} left as it was)`);
        }
        console.error(`deno compile unavailable (${error}); writing launchers instead`);
        can_compile = false;
      }
      await writeLauncher(temp, script);
      await Deno.rename(temp, path);
      built.push({ name, path, kind: "launcher" });
    } finally {
      await Deno.remove(temp).catch(() => {});
    }
  }
  return built;
}

/** Runs `deno compile`; returns undefined on success, else a one-line reason. */
async function compile(script: string, output: string): Promise<string | undefined> {
  const command = new Deno.Command(Deno.execPath(), {
    args: ["compile", "--quiet", "--no-check", "--output", output, script],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(COMPILE_TIMEOUT_MS),
  });
  try {
    const { success, stderr } = await command.output();
    if (success) return undefined;
    const text = new TextDecoder().decode(stderr).split("Stack backtrace")[0];
    const lines = text.split("\n").map((l) => l.trim());
    // The root cause is the last numbered "Caused by" line, e.g. "4: failed to lookup address".
    const causes = lines.filter((l) => /^\d+: /.test(l));
    return causes.at(-1)?.replace(/^\d+: /, "") ?? lines.find((l) => l !== "") ?? "unknown error";
  } catch (e) {
    return (e as Error).message;
  }
}

const USAGE = `Usage: deno task build [--compile | --launcher] [challenge …]

Makes bin/<challenge> for every challenge (or the ones named).
  (no flag)    deno compile, or a launcher script when compiling is not possible (offline)
  --compile    deno compile only; a failure leaves the existing bin/<challenge> in place
  --launcher   launcher scripts only (run the pinned Deno on challenges/<name>.ts)
  -h, --help   this text`;

/** Exit code for bad arguments (as the harness's). */
const USAGE_EXIT = 254;

/** Parses the command line: the mode and the named challenges, or help. */
export function parseBuildArgs(
  argv: string[],
): { help: true } | { help: false; mode: BuildMode; names: string[] } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        compile: { type: "boolean" },
        launcher: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: true,
    });
  } catch (e) {
    // node:util's message names the bad option; its first line is enough.
    throw new BuildUsageError((e as Error).message.split(/\n|\. To specify/)[0]);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  if (values.compile && values.launcher) {
    throw new BuildUsageError("--compile and --launcher exclude each other");
  }
  const mode: BuildMode = values.compile ? "compile" : values.launcher ? "launcher" : "auto";
  return { help: false, mode, names: positionals };
}

/** A bad command line; the message is one line naming the bad value. */
export class BuildUsageError extends Error {}

/** Runs the build command; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseBuildArgs(argv);
  } catch (e) {
    if (!(e instanceof BuildUsageError)) throw e;
    console.error(`build: ${e.message} (see --help)`);
    return USAGE_EXIT;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    for (const b of await buildChallenges(args.names, args.mode)) {
      console.log(`${b.kind === "compiled" ? "compiled" : "launcher"}  ${b.path}`);
    }
    return 0;
  } catch (e) {
    console.error(`build: ${(e as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
