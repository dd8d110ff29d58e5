// Warm host: loads one bot module once and serves its jobs, one at a time, until stdin closes.
// Usage: bot_host.js <bot.js>. Each stdin line is one job's request; the bot's handle(request, emit) writes the job's
// JSON lines to stdout, then the host writes {"jobEnd":n} (n counts the jobs served); what the job's emit is given after
// that is dropped. A bot that exits ends the host, as it would end a cold run; a rejected handle() is reported as the
// bot's non-retryable error, as its cold main does.
"use strict";

const path = require("path");
const readline = require("readline");

const bot = require(path.resolve(process.argv[2]));

(async () => {
  let served = 0;
  for await (const line of readline.createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    served += 1;
    // Closed as the job ends, so work it left running (a timer, an un-awaited promise) cannot write into the next job.
    let open = true;
    const emit = (message) => open && process.stdout.write(JSON.stringify(message) + "\n");
    try {
      await bot.handle(JSON.parse(line), emit);
    } catch (error) {
      emit({ error: String((error && error.message) || error), retryable: false });
    }
    open = false;
    process.stdout.write(`{"jobEnd":${served}}\n`);
  }
})();
