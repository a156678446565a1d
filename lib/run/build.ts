/**
 * Makes the binaries the selected rows need, one challenge at a time, so a
 * challenge that is missing or fails to build only fails its own rows.
 * Building is delegated to tools/build.ts (`deno task build`).
 *
 * @module
 */

import { buildChallenges } from "../../tools/build.ts";
import type { Challenge } from "./types.ts";

/** A built binary, or why there is none. */
export type BuildOutcome = { ok: true; path: string; kind: string } | { ok: false; error: string };

/** Builds `bin/<challenge>` for each distinct challenge in `challenges`. */
export async function buildNeeded(
  challenges: Iterable<Challenge>,
  build: (names: string[]) => Promise<{ path: string; kind: string }[]> = buildChallenges,
): Promise<Map<Challenge, BuildOutcome>> {
  const outcomes = new Map<Challenge, BuildOutcome>();
  for (const challenge of new Set(challenges)) {
    try {
      const [built] = await build([challenge]);
      outcomes.set(challenge, { ok: true, path: built.path, kind: built.kind });
    } catch (error) {
      outcomes.set(challenge, { ok: false, error: (error as Error).message });
    }
  }
  return outcomes;
}
