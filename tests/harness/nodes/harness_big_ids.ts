// Test node: on any message, sends two messages whose ids exceed 2^53 and differ only
// beyond double precision, then echoes to stderr every line it receives.
const encoder = new TextEncoder();
const out = (line: string) => Deno.stdout.writeSync(encoder.encode(line + "\n"));
let buffer = "";
const decoder = new TextDecoder();
for await (const chunk of Deno.stdin.readable) {
  buffer += decoder.decode(chunk, { stream: true });
  let newline;
  while ((newline = buffer.indexOf("\n")) >= 0) {
    const line = buffer.slice(0, newline);
    buffer = buffer.slice(newline + 1);
    console.error(`got ${line}`);
    if (line.includes('"big"')) continue;
    out('{"src":"n0","dest":"n0","body":{"type":"big","id":9007199254740993}}');
    out('{"src":"n0","dest":"n0","body":{"type":"big","id":9007199254740992}}');
  }
}
