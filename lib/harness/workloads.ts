/**
 * Finds a workload module by its Maelstrom name: `./workloads/<name>.ts`
 * exporting `createWorkload`.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import type { Workload, WorkloadContext, WorkloadFactory } from "./types.ts";

/** The workload module is missing or does not export a factory (exit 254). */
export class WorkloadUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WorkloadUnavailable";
  }
}

/** Loads the factory of workload `name`. */
export async function loadWorkloadFactory(name: string): Promise<WorkloadFactory> {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new WorkloadUnavailable(`bad workload name ${name}`);
  const url = new URL(`./workloads/${name}.ts`, import.meta.url);
  try {
    Deno.statSync(fileURLToPath(url));
  } catch {
    throw new WorkloadUnavailable(`workload ${name} is not available yet (no ${url.pathname})`);
  }
  const module = await import(url.href);
  if (typeof module.createWorkload !== "function") {
    throw new WorkloadUnavailable(`workload module ${name} does not export createWorkload`);
  }
  return module.createWorkload as WorkloadFactory;
}

/** Loads and builds workload `name` for one run. */
export async function loadWorkload(name: string, ctx: WorkloadContext): Promise<Workload> {
  return (await loadWorkloadFactory(name))(ctx);
}
