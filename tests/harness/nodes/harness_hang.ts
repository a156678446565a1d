// Test node: reads stdin and never answers anything, init included.
for await (const _chunk of Deno.stdin.readable) {
  // Swallow everything.
}
