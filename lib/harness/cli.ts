/**
 * Command-line parsing for `maelstrom test` (`shared/maelstrom/harness.md` §2).
 *
 * Turns argv into a resolved `TestOptions`: node list, concurrency multiplied
 * out, latency validated, `--bin` checked on disk. Every problem is collected
 * and reported as one line naming the bad value, and the caller exits 254.
 *
 * @module
 */

import {
  type Fault,
  FAULTS,
  LATENCY_DISTS,
  type LatencyDist,
  type TestOptions,
  TOPOLOGIES,
  type Topology,
  WORKLOAD_NAMES,
  type WorkloadName,
} from "./types.ts";
import { randomSeed } from "./rng.ts";

/** Bad command-line input; `exit_code` is 254, or 0 for `--help` (the message is the usage). */
export class UsageError extends Error {
  constructor(message: string, readonly exit_code = 254) {
    super(message);
    this.name = "UsageError";
  }
}

/** Consistency models Elle 0.2.2 knows (friendly and canonical names). */
export const CONSISTENCY_MODELS: ReadonlySet<string> = new Set([
  "causal",
  "causal-cerone",
  "consistent-view",
  "cursor-stability",
  "forward-consistent-view",
  "linearizable",
  "monotonic-atomic-view",
  "monotonic-reads",
  "monotonic-snapshot-read",
  "monotonic-view",
  "monotonic-writes",
  "parallel-snapshot-isolation",
  "PL-1",
  "PL-2",
  "PL-2.99",
  "PL-3",
  "PL-SI",
  "PL-SS",
  "PRAM",
  "prefix",
  "read-atomic",
  "read-committed",
  "read-uncommitted",
  "read-your-writes",
  "repeatable-read",
  "sequential",
  "serializable",
  "snapshot-isolation",
  "strict-serializable",
  "strong-read-committed",
  "strong-read-uncommitted",
  "strong-serializable",
  "strong-session-read-committed",
  "strong-session-read-uncommitted",
  "strong-session-serializable",
  "strong-session-snapshot-isolation",
  "strong-snapshot-isolation",
  "update-atomic",
  "update-serializable",
  "writes-follow-reads",
]);

/** Ids taken by the built-in services. */
const SERVICE_NAMES = ["lin-kv", "lin-tso", "lww-kv", "seq-kv"];

/** The default server nodes when none are given (Jepsen's default list). */
export const DEFAULT_NODES = ["n1", "n2", "n3", "n4", "n5"];

/** Usage text for `maelstrom test`. */
export const USAGE = `Usage: maelstrom test --bin FILE [options] [-- args for the binary]

Options:
  --bin FILE                  node executable (required)
  -w, --workload NAME         ${WORKLOAD_NAMES.join(" ")} (default lin-kv)
  --node-count NUM            nodes n0..n{NUM-1}
  -n, --node ID               add a node (repeatable; default n1..n5)
  --nodes LIST                comma-separated node ids
  --nodes-file FILE           one node id per line
  --time-limit SECONDS        default 60
  --rate RATE                 client ops per second over all threads (default 5; 0 = none)
  --concurrency NUMBER        client threads; "Kn" means K x nodes (default 1n)
  --latency MILLIS            mean node-to-node latency (default 0)
  --latency-dist TYPE         ${LATENCY_DISTS.join(" ")} (default constant)
  --nemesis FAULTS            comma-separated set of partition, pause, kill
  --nemesis-interval SECONDS  mean seconds between nemesis ops (default 10)
  --topology SPEC             ${TOPOLOGIES.join(" ")} (default grid; broadcast only)
  --availability EXPECTED     "total" or a fraction in [0,1]
  --consistency-models LIST   Elle models (default strict-serializable)
  --key-count INT             keys per workload (workload default if absent)
  --max-txn-length INT        default 4
  --max-writes-per-key INT    default 16
  --test-count NUMBER         repeat the test (default 1)
  --seed N                    random seed (random if absent)
  --no-final-reads            txn-rw-register: skip the final reads
  --store DIR                 directory holding store/ (default .)
  --log-stderr                echo node stderr to the console
  --log-net-send              log every message entering the network
  --log-net-recv              log every message delivered
  --strict                    a node's protocol error makes the test invalid (Maelstrom:
                              stop reading that node's output and judge what arrived)

Simulator (not in Maelstrom; see the README's "Simulation" section):
  --sim                       run the nodes in-process on a virtual clock: deterministic
                              for a seed, and much faster than real time
  --sim-cpu-us MICROS         virtual processing cost of each message a node handles (default 0)
  --max-ops N                 stop generating main-phase ops after N (replay and shrinking)
  --outputs all|failures      failures: draw plots, timeline, diagram and report only for a run
                              that is not valid (sweeps; default all)
  --check-determinism         with --sim: run twice and compare history and journal hashes
  --shrink                    with --sim: search the shortest failing prefix of an invalid
                              run (shorter --time-limit, then fewer ops) and print it
  -h, --help                  this text
`;

const VALUE_OPTIONS: Record<string, string> = {
  "--bin": "bin",
  "-w": "workload",
  "--workload": "workload",
  "--node-count": "node-count",
  "-n": "node",
  "--node": "node",
  "--nodes": "nodes",
  "--nodes-file": "nodes-file",
  "--time-limit": "time-limit",
  "--rate": "rate",
  "--concurrency": "concurrency",
  "--latency": "latency",
  "--latency-dist": "latency-dist",
  "--nemesis": "nemesis",
  "--nemesis-interval": "nemesis-interval",
  "--topology": "topology",
  "--availability": "availability",
  "--consistency-models": "consistency-models",
  "--key-count": "key-count",
  "--max-txn-length": "max-txn-length",
  "--max-writes-per-key": "max-writes-per-key",
  "--test-count": "test-count",
  "--seed": "seed",
  "--store": "store",
  "--sim-cpu-us": "sim-cpu-us",
  "--max-ops": "max-ops",
  "--outputs": "outputs",
  // Jepsen's SSH options: accepted, meaningless for Maelstrom.
  "--username": "username",
  "--password": "password",
  "--ssh-private-key": "ssh-private-key",
};

const FLAG_OPTIONS: Record<string, string> = {
  "--log-stderr": "log-stderr",
  "--log-net-send": "log-net-send",
  "--log-net-recv": "log-net-recv",
  "--no-final-reads": "no-final-reads",
  "--strict": "strict",
  "--sim": "sim",
  "--check-determinism": "check-determinism",
  "--shrink": "shrink",
  "--leave-db-running": "leave-db-running",
  "--logging-json": "logging-json",
  "--strict-host-key-checking": "strict-host-key-checking",
  "--no-ssh": "no-ssh",
  "-h": "help",
  "--help": "help",
};

interface RawArgs {
  values: Map<string, string[]>;
  flags: Set<string>;
  positional: string[];
}

function splitArgs(argv: readonly string[], errors: string[]): RawArgs {
  const raw: RawArgs = { values: new Map(), flags: new Set(), positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      raw.positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      raw.positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    if (FLAG_OPTIONS[name] !== undefined && name === arg) {
      raw.flags.add(FLAG_OPTIONS[name]);
      continue;
    }
    const key = VALUE_OPTIONS[name];
    if (key === undefined) {
      errors.push(`Unknown option: ${arg}`);
      continue;
    }
    let value: string;
    if (name !== arg) {
      value = arg.slice(eq + 1);
    } else if (i + 1 < argv.length) {
      value = argv[++i];
    } else {
      errors.push(`Missing value for ${arg}`);
      continue;
    }
    const list = raw.values.get(key) ?? [];
    list.push(value);
    raw.values.set(key, list);
  }
  return raw;
}

function last(raw: RawArgs, key: string): string | undefined {
  const list = raw.values.get(key);
  return list === undefined ? undefined : list[list.length - 1];
}

function parseInteger(
  text: string,
  option: string,
  min: number,
  errors: string[],
): number | undefined {
  if (!/^[+-]?\d+$/.test(text.trim())) {
    errors.push(`${option} must be an integer, got ${JSON.stringify(text)}`);
    return undefined;
  }
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) {
    errors.push(`${option} must be an integer >= ${min}, got ${text}`);
    return undefined;
  }
  return n;
}

function parseNumber(text: string, option: string, errors: string[]): number | undefined {
  const n = text.trim() === "" ? NaN : Number(text);
  if (!Number.isFinite(n)) {
    errors.push(`${option} must be a number, got ${JSON.stringify(text)}`);
    return undefined;
  }
  return n;
}

function parseNodes(raw: RawArgs, errors: string[]): string[] {
  const count_text = last(raw, "node-count");
  if (count_text !== undefined) {
    const count = parseInteger(count_text, "--node-count", 1, errors);
    if (count === undefined) return [];
    if (count > 1000) {
      errors.push(`--node-count must be at most 1000, got ${count}`);
      return [];
    }
    return Array.from({ length: count }, (_, i) => `n${i}`);
  }
  const nodes: string[] = [...(raw.values.get("node") ?? [])];
  for (const list of raw.values.get("nodes") ?? []) {
    nodes.push(...list.split(",").map((s) => s.trim()).filter((s) => s !== ""));
  }
  for (const file of raw.values.get("nodes-file") ?? []) {
    try {
      const text = Deno.readTextFileSync(file);
      nodes.push(...text.split("\n").map((s) => s.trim()).filter((s) => s !== ""));
    } catch (e) {
      errors.push(`--nodes-file ${file}: ${(e as Error).message}`);
    }
  }
  if (nodes.length === 0) return [...DEFAULT_NODES];
  const seen = new Set<string>();
  for (const node of nodes) {
    if (seen.has(node)) errors.push(`node id ${JSON.stringify(node)} given twice`);
    if (SERVICE_NAMES.includes(node)) {
      errors.push(`node id ${JSON.stringify(node)} is the name of a built-in service`);
    }
    if (node.startsWith("c")) {
      errors.push(`node id ${JSON.stringify(node)} starts with "c", which marks clients`);
    }
    seen.add(node);
  }
  return nodes;
}

function parseConcurrency(text: string, node_count: number, errors: string[]): number | undefined {
  const match = /^(\d+)(n?)$/.exec(text);
  if (match === null) {
    errors.push(`--concurrency must be an integer, optionally followed by n, got ${text}`);
    return undefined;
  }
  const k = Number(match[1]);
  const threads = match[2] === "n" ? k * node_count : k;
  if (threads < 1 || threads > 10_000) {
    errors.push(`--concurrency must give between 1 and 10000 threads, got ${text}`);
    return undefined;
  }
  return threads;
}

function parseAvailability(text: string, errors: string[]): "total" | number | undefined {
  if (text === "total") return "total";
  const n = parseNumber(text, "--availability", errors);
  if (n === undefined) return undefined;
  if (n < 0 || n > 1) {
    errors.push(`--availability must be "total" or a number in [0,1], got ${text}`);
    return undefined;
  }
  return n;
}

function parseConsistencyModels(text: string, errors: string[]): string[] {
  // Maelstrom splits on whitespace-comma-whitespace only; we also accept plain commas.
  const names = text.split(/\s*,\s*/).map((s) => s.trim()).filter((s) => s !== "");
  if (names.length === 0) errors.push(`--consistency-models is empty: ${JSON.stringify(text)}`);
  for (const name of names) {
    if (!CONSISTENCY_MODELS.has(name)) {
      errors.push(`--consistency-models: unknown consistency model ${JSON.stringify(name)}`);
    }
  }
  return names;
}

function checkBin(path: string, errors: string[], sim: boolean): string {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch {
    errors.push(`--bin ${path} does not exist`);
    return path;
  }
  if (info.isDirectory) {
    errors.push(`--bin ${path} is a directory, not an executable file`);
    return path;
  }
  // The simulator imports a module, so a challenge's .ts file needs no execute bit.
  if (!sim && info.mode !== null && (info.mode & 0o111) === 0) {
    errors.push(`--bin ${path} is not executable (try chmod +x ${path})`);
    return path;
  }
  return Deno.realPathSync(path);
}

function pick<T extends string>(
  text: string | undefined,
  fallback: T,
  allowed: readonly T[],
  option: string,
  errors: string[],
): T {
  if (text === undefined) return fallback;
  if ((allowed as readonly string[]).includes(text)) return text as T;
  errors.push(`${option} must be one of ${allowed.join(", ")}; got ${JSON.stringify(text)}`);
  return fallback;
}

/** Parses the arguments after `test`; throws `UsageError` listing every problem, one per line. */
export function parseTestArgs(argv: readonly string[]): TestOptions {
  const errors: string[] = [];
  const raw = splitArgs(argv, errors);
  if (raw.flags.has("help")) throw new UsageError(USAGE, 0);

  const workload = pick<WorkloadName>(
    last(raw, "workload"),
    "lin-kv",
    WORKLOAD_NAMES,
    "--workload",
    errors,
  );
  const nodes = parseNodes(raw, errors);
  const int_option = (key: string, fallback: number, min: number) => {
    const text = last(raw, key);
    if (text === undefined) return fallback;
    return parseInteger(text, `--${key}`, min, errors) ?? fallback;
  };
  const time_limit_s = int_option("time-limit", 60, 1);
  const latency_ms = int_option("latency", 0, 0);
  const max_txn_length = int_option("max-txn-length", 4, 1);
  const max_writes_per_key = int_option("max-writes-per-key", 16, 1);
  const test_count = int_option("test-count", 1, 1);
  const key_count_text = last(raw, "key-count");
  const key_count = key_count_text === undefined
    ? undefined
    : parseInteger(key_count_text, "--key-count", 1, errors);

  let rate = 5;
  const rate_text = last(raw, "rate");
  if (rate_text !== undefined) {
    const n = parseNumber(rate_text, "--rate", errors);
    if (n !== undefined && n < 0) errors.push(`--rate must be >= 0, got ${rate_text}`);
    else if (n !== undefined) rate = n;
  }

  const latency_dist = pick<LatencyDist>(
    last(raw, "latency-dist"),
    "constant",
    LATENCY_DISTS,
    "--latency-dist",
    errors,
  );
  if (latency_ms === 0 && latency_dist !== "constant") {
    errors.push(
      `--latency-dist ${latency_dist} needs --latency > 0 (Maelstrom hangs or crashes with 0)`,
    );
  }

  // A comma-separated set, as Maelstrom's cli parses it (core.clj, the `--nemesis` option's parse-fn).
  const nemesis: Fault[] = [];
  for (const list of raw.values.get("nemesis") ?? []) {
    for (const name of list.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
      const fault = FAULTS.find((f) => f === name);
      if (fault === undefined) {
        errors.push(
          `--nemesis: unknown fault ${JSON.stringify(name)}; expected ${FAULTS.join(", ")}`,
        );
      } else if (!nemesis.includes(fault)) nemesis.push(fault);
    }
  }

  let nemesis_interval_s = 10;
  const interval_text = last(raw, "nemesis-interval");
  if (interval_text !== undefined) {
    const n = parseNumber(interval_text, "--nemesis-interval", errors);
    if (n !== undefined && !(n > 0)) {
      errors.push(`--nemesis-interval must be > 0, got ${interval_text}`);
    } else if (n !== undefined) nemesis_interval_s = n;
  }

  const topology = pick<Topology>(last(raw, "topology"), "grid", TOPOLOGIES, "--topology", errors);
  const availability_text = last(raw, "availability");
  const availability = availability_text === undefined
    ? undefined
    : parseAvailability(availability_text, errors);
  const models_text = last(raw, "consistency-models");
  const consistency_models = models_text === undefined
    ? ["strict-serializable"]
    : parseConsistencyModels(models_text, errors);

  const concurrency =
    parseConcurrency(last(raw, "concurrency") ?? "1n", Math.max(1, nodes.length), errors) ??
      nodes.length;

  let seed = randomSeed();
  const seed_text = last(raw, "seed");
  if (seed_text !== undefined) {
    const n = parseInteger(seed_text, "--seed", 0, errors);
    if (n !== undefined && n > 0xffff_ffff) {
      errors.push(`--seed must be at most ${0xffff_ffff}, got ${seed_text}`);
    } else if (n !== undefined) seed = n;
  }

  const sim = raw.flags.has("sim");
  const sim_cpu_us = int_option("sim-cpu-us", 0, 0);
  const max_ops_text = last(raw, "max-ops");
  const max_ops = max_ops_text === undefined
    ? undefined
    : parseInteger(max_ops_text, "--max-ops", 1, errors);
  for (const flag of ["check-determinism", "shrink"]) {
    if (raw.flags.has(flag) && !sim) errors.push(`--${flag} needs --sim (real time cannot replay)`);
  }
  if (last(raw, "sim-cpu-us") !== undefined && !sim) errors.push("--sim-cpu-us needs --sim");

  const outputs_text = last(raw, "outputs");
  if (outputs_text !== undefined && outputs_text !== "all" && outputs_text !== "failures") {
    errors.push(`--outputs must be all or failures; got ${JSON.stringify(outputs_text)}`);
  }

  const bin_text = last(raw, "bin");
  let bin = "";
  if (bin_text === undefined) {
    errors.push("Expected a --bin PATH_TO_BINARY to test; see --help");
  } else bin = checkBin(bin_text, errors, sim);

  if (errors.length > 0) throw new UsageError(errors.join("\n"));
  return {
    workload,
    bin,
    bin_args: raw.positional,
    nodes,
    time_limit_s,
    rate,
    concurrency,
    latency_ms,
    latency_dist,
    nemesis,
    nemesis_interval_s,
    topology,
    availability,
    consistency_models,
    key_count,
    max_txn_length,
    max_writes_per_key,
    test_count,
    log_stderr: raw.flags.has("log-stderr"),
    log_net_send: raw.flags.has("log-net-send"),
    log_net_recv: raw.flags.has("log-net-recv"),
    seed,
    final_reads: !raw.flags.has("no-final-reads"),
    store_dir: last(raw, "store") ?? ".",
    strict: raw.flags.has("strict"),
    ...(sim ? { sim, sim_cpu_us } : {}),
    ...(max_ops !== undefined ? { max_ops } : {}),
    ...(last(raw, "outputs") === "failures" ? { outputs: "failures" as const } : {}),
    ...(raw.flags.has("check-determinism") ? { check_determinism: true } : {}),
    ...(raw.flags.has("shrink") ? { shrink: true } : {}),
  };
}

/**
 * `argv` without the options named in `drop` (with their values), then `add` appended before any
 * `--`: how a replay or shrink command line is built from the user's own.
 */
export function rewriteArgs(
  argv: readonly string[],
  drop: readonly string[],
  add: readonly string[],
): string[] {
  const kept: string[] = [];
  let rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      rest = argv.slice(i);
      break;
    }
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const takes_value = VALUE_OPTIONS[name] !== undefined && name === arg;
    if (drop.includes(name)) {
      if (takes_value) i++;
      continue;
    }
    kept.push(arg);
    if (takes_value && i + 1 < argv.length) kept.push(argv[++i]);
  }
  return [...kept, ...add, ...rest];
}

/** A command line as a user would paste it into a POSIX shell. */
export function shellCommand(words: readonly string[]): string {
  return words.map((word) =>
    /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`
  )
    .join(" ");
}
