// Does nothing but answer: what remains of a run is the cost of starting and speaking the protocol.
"use strict";

function handle(request, emit) {
  emit({ result: { ok: true } });
}

module.exports = { handle };

if (require.main === module) {
  let input = "";
  process.stdin.on("data", (chunk) => (input += chunk));
  process.stdin.on("end", () => handle(input ? JSON.parse(input) : {}, (m) => process.stdout.write(JSON.stringify(m) + "\n")));
}
