// Test node module whose speak() writes one line with each console method, to
// check that the simulator routes each to the stream a Deno process would:
// log, info and debug to stdout; error and warn to stderr.
import { type Node, parseNoArgs, runNode } from "../../../lib/maelstrom.ts";

export function speak(): void {
  console.log("via log");
  console.info("via info");
  console.debug("via debug");
  console.error("via error");
  console.warn("via warn");
}

export function setup(_node: Node, args: string[]): void {
  parseNoArgs(args);
}

if (import.meta.main) await runNode(setup);
