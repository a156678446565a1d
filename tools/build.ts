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

/** Builds `bin/<name>` for each named challenge (all when `names` is empty). */
export async function buildChallenges(
  names: string[] = [],
  mode: BuildMode = "launcher",
): Promise<Built[]> {
  const known = await challengeNames();
  const wanted = names.length > 0 ? names : known;
  for (const name of wanted) {
    if (!known.includes(name)) {
      throw new Error(`unknown challenge "${name}" (known: ${known.join(", ")})`);
    }
  }
  await Deno.mkdir(`${ROOT}/bin`, { recursive: true });
  let can_compile = mode !== "launcher";
  const built: Built[] = [];
  for (const name of wanted) {
    const path = `${ROOT}/bin/${name}`;
    const script = `${ROOT}/challenges/${name}.ts`;
    await Deno.remove(path).catch(() => {});
    if (can_compile) {
      const error = await compile(script, path);
      if (error === undefined) {
        built.push({ name, path, kind: "compiled" });
        continue;
      }
      if (mode === "compile") throw new Error(`deno compile failed for ${name}: ${error}`);
      console.error(`deno compile unavailable (${error}); writing launchers instead`);
      can_compile = false;
    }
    await writeLauncher(path, script);
    built.push({ name, path, kind: "launcher" });
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

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: { compile: { type: "boolean" }, launcher: { type: "boolean" } },
    allowPositionals: true,
  });
  const mode: BuildMode = values.compile ? "compile" : values.launcher ? "launcher" : "auto";
  try {
    for (const b of await buildChallenges(positionals, mode)) {
      console.log(`${b.kind === "compiled" ? "compiled" : "launcher"}  ${b.path}`);
    }
  } catch (e) {
    console.error(`build: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
