/**
 * Launchers: tiny executable shell scripts that run a TypeScript node with a
 * pinned Deno. Maelstrom's `--bin` takes only an executable file, and
 * `deno compile` needs to download its runtime, so a launcher is the fallback
 * that always works, from any working directory.
 *
 * @module
 */

/**
 * What `deno run` does at a node's start that a node does not need, and the launcher turns off
 * (a test starts up to 25 of them at once, each with 10 s to answer `init`):
 * - `DENO_NO_UPDATE_CHECK=1`: otherwise every node process looks up and contacts dl.deno.land
 *   in the background to check for a newer Deno (offline: a DNS query per node per test);
 * - `--no-config`: no search for deno.json / package.json / .npmrc; a node imports only
 *   relative modules and `node:` built-ins;
 * - `--no-check`: no type-check (already `deno run`'s default; explicit so it stays so).
 * Transpiled code and V8's code cache are cached in DENO_DIR by the first start.
 */
export const LAUNCHER_RUN_FLAGS = [
  "--quiet",
  "--allow-all",
  "--no-prompt",
  "--no-check",
  "--no-config",
] as const;

/** The launcher script text for `script_path`, run by `deno_path`. */
export function launcherScript(script_path: string, deno_path: string): string {
  return [
    "#!/bin/sh",
    "# Generated launcher: runs a Maelstrom node with the pinned Deno.",
    `DENO_NO_UPDATE_CHECK=1 exec ${shellQuote(deno_path)} run ${LAUNCHER_RUN_FLAGS.join(" ")} ${
      shellQuote(script_path)
    } "$@"`,
    "",
  ].join("\n");
}

/** Writes an executable launcher at `bin_path` for the script at `script_path`. */
export async function writeLauncher(
  bin_path: string,
  script_path: string,
  deno_path = Deno.execPath(),
): Promise<void> {
  await Deno.writeTextFile(bin_path, launcherScript(script_path, deno_path));
  await Deno.chmod(bin_path, 0o755);
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'"'"'`)}'`;
}
