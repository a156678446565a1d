/**
 * Launchers: tiny executable shell scripts that run a TypeScript node with a
 * pinned Deno. Maelstrom's `--bin` takes only an executable file, and
 * `deno compile` needs to download its runtime, so a launcher is the fallback
 * that always works, from any working directory.
 *
 * @module
 */

/** The launcher script text for `script_path`, run by `deno_path`. */
export function launcherScript(script_path: string, deno_path: string): string {
  return [
    "#!/bin/sh",
    "# Generated launcher: runs a Maelstrom node with the pinned Deno.",
    `exec ${shellQuote(deno_path)} run --quiet --allow-all --no-prompt ${
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
