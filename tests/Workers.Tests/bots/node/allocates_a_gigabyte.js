// Allocates 1 GB outside V8's heap (Buffers), touching every page, then answers with how much it holds.
"use strict";

const chunks = [];
for (let i = 0; i < 64; i++) {
  chunks.push(Buffer.alloc(16 * 1024 * 1024, 1));
}
process.stdout.write(JSON.stringify({ result: { heldMb: chunks.length * 16 } }) + "\n");
