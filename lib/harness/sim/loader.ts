/**
 * Finds and loads the node module a `--sim` test runs in-process.
 *
 * `--bin` may name a node module (`.ts`, `.js`, `.mts`, `.mjs`) or a launcher
 * that `deno task build` wrote for one (`bin/<challenge>`, a shell script that
 * runs Deno on the module). Anything else — a compiled binary, a Python or
 * shell script — cannot run on the virtual clock and is refused with one line.
 *
 * Each simulated node gets its own instance of the module (the module URL
 * with a `?sim-node=…` query), so module-level state is per node, as it is per
 * process in real time. Modules that it imports are shared, once per harness
 * process: state belongs in `setup` or in the node module itself.
 *
 * @module
 */

import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { NodeSetup } from "../../maelstrom.ts";

/** How long importing a node module may take before the run is refused. */
export const IMPORT_TIMEOUT_MS = 30_000;
/** Bytes of `--bin` read to tell what kind of file it is. */
const SNIFF_BYTES = 4096;
const MODULE_EXTENSIONS = new Set([".ts", ".mts", ".js", ".mjs", ".tsx", ".jsx"]);

/** `--bin` cannot run in the simulator; the message is one line naming why. */
export class SimUnsupported extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SimUnsupported";
  }
}

/** A node module the simulator can load. */
export interface SimModule {
  /** Absolute path of the module file. */
  path: string;
  /** Its file URL, without a query. */
  url: string;
}

/** Finds the node module behind `bin`; throws SimUnsupported for anything else. */
export function resolveSimModule(bin: string): SimModule {
  const path = resolve(bin);
  if (MODULE_EXTENSIONS.has(extname(path))) return moduleAt(path, bin);
  const head = sniff(path);
  if (head.startsWith("\x7fELF") || head.startsWith("MZ") || head.startsWith("\xcf\xfa\xed\xfe")) {
    throw new SimUnsupported(
      `--sim cannot run ${bin}: it is a compiled executable; the simulator runs node modules ` +
        `written on lib/maelstrom.ts in-process (give --bin the .ts file, or drop --sim)`,
    );
  }
  const launched = launcherTarget(head);
  if (launched !== undefined) return moduleAt(launched, bin);
  const interpreter = head.startsWith("#!") ? head.slice(2).split("\n")[0].trim() : "";
  throw new SimUnsupported(
    `--sim cannot run ${bin}: it is ${
      interpreter === "" ? "not a TypeScript or JavaScript module" : `a script for ${interpreter}`
    }; the simulator runs node modules written on lib/maelstrom.ts in-process ` +
      `(give --bin the .ts file, or drop --sim)`,
  );
}

/** The module a Deno launcher script runs (`exec … run … '<module>' "$@"`), if it is one. */
export function launcherTarget(script: string): string | undefined {
  if (!script.startsWith("#!")) return undefined;
  for (const line of script.split("\n")) {
    const all_words = line.trim().match(/'(?:[^']|'"'"')*'|"[^"]*"|\S+/g) ?? [];
    // Leading `NAME=value` words set the environment (e.g. DENO_NO_UPDATE_CHECK=1 exec …).
    const words = all_words.slice(all_words.findIndex((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)));
    if (words[0] !== "exec" || !words.some((w) => unquote(w) === "run")) continue;
    const module = words.map(unquote).reverse().find((w) => MODULE_EXTENSIONS.has(extname(w)));
    if (module !== undefined) return module;
  }
  return undefined;
}

function unquote(word: string): string {
  if (word.startsWith("'") && word.endsWith("'")) {
    return word.slice(1, -1).replaceAll(`'"'"'`, "'");
  }
  if (word.startsWith('"') && word.endsWith('"')) return word.slice(1, -1);
  return word;
}

function sniff(path: string): string {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true });
  } catch (e) {
    throw new SimUnsupported(`--sim cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    const buffer = new Uint8Array(SNIFF_BYTES);
    const n = file.readSync(buffer) ?? 0;
    return new TextDecoder("latin1").decode(buffer.subarray(0, n));
  } finally {
    file.close();
  }
}

function moduleAt(path: string, bin: string): SimModule {
  try {
    if (!Deno.statSync(path).isFile) throw new Error("not a file");
  } catch (e) {
    throw new SimUnsupported(
      `--sim cannot load ${path} (from --bin ${bin}): ${(e as Error).message}`,
    );
  }
  return { path, url: pathToFileURL(path).href };
}

/**
 * Imports a fresh instance of the module (tagged `instance`) and returns its `setup`.
 * Throws SimUnsupported when the import fails, hangs, or has no `setup(node, args)` export.
 */
export async function loadNodeSetup(module: SimModule, instance: string): Promise<NodeSetup> {
  const url = `${module.url}?sim-node=${encodeURIComponent(instance)}`;
  let timer: number | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = Number(setTimeout(
      () =>
        reject(
          new SimUnsupported(
            `--sim: importing ${module.path} did not finish within ${IMPORT_TIMEOUT_MS / 1000} s ` +
              `(does it read stdin or wait at top level? start the process only under ` +
              `if (import.meta.main))`,
          ),
        ),
      IMPORT_TIMEOUT_MS,
    ));
  });
  let namespace: Record<string, unknown>;
  try {
    namespace = await Promise.race([import(url), timeout]);
  } catch (e) {
    if (e instanceof SimUnsupported) throw e;
    const text = (e instanceof Error ? e.message : String(e)).split("\n")[0];
    throw new SimUnsupported(`--sim cannot import ${module.path}: ${text}`);
  } finally {
    clearTimeout(timer);
  }
  const setup = namespace.setup;
  if (typeof setup !== "function") {
    throw new SimUnsupported(
      `--sim: ${module.path} does not export setup(node, args); a node module for the simulator ` +
        `exports it and runs as a process with if (import.meta.main) await runNode(setup)`,
    );
  }
  return setup as NodeSetup;
}
