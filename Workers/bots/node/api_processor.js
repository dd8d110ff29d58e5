// Processes an API-like payload: normalises its records, groups them by status and sums amounts.
// Protocol: one JSON request on stdin; JSON lines on stdout ({"progress"}, {"log"}, then {"result"} or {"error"}).
// A payload field it cannot use fails the job for good, naming the field.
// handle() does one job, so the warm host can serve many jobs with this module loaded once.
"use strict";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A payload this bot cannot use: running it again would not help.
class BadPayload extends Error {}

function wholeNumber(payload, name, fallback, most, kind = "a whole number") {
  const value = payload[name] ?? fallback;
  if (!Number.isInteger(value) || value < 0 || value > most) {
    throw new BadPayload(`payload.${name} must be ${kind} from 0 to ${most}, not ${JSON.stringify(value)}`);
  }
  return value;
}

async function handle(request, emit) {
  try {
    await processRecords(request.payload || {}, emit);
  } catch (error) {
    if (!(error instanceof BadPayload)) throw error;
    emit({ error: error.message, retryable: false });
  }
}

async function processRecords(payload, emit) {
  const durationMs = wholeNumber(payload, "durationMs", 150, 3600000);
  // The records to process, or how many to generate.
  const records = Array.isArray(payload.records) ? payload.records
    : Array.from({ length: wholeNumber(payload, "records", 200, 1000000, "an array of records or a whole number") },
      (_, i) => ({ id: i + 1, status: ["new", "paid", "refunded"][i % 3], amount: (i * 37) % 500 }));

  emit({ log: `processing ${records.length} records` });
  const steps = 4;
  for (let step = 1; step <= steps; step++) {
    await sleep(durationMs / steps);
    emit({ progress: Math.floor((step * 100) / steps) });
    if (payload.fail === "crash" && step === 2) process.exit(4);
  }
  if (payload.fail === "retryable") return emit({ error: "the upstream API answered 503", retryable: true });
  if (payload.fail === "permanent") return emit({ error: "the payload has no usable records", retryable: false });

  const byStatus = {};
  let total = 0;
  for (const record of records) {
    const status = String(record?.status ?? "unknown").toLowerCase();
    const amount = Number(record?.amount ?? 0);
    byStatus[status] = (byStatus[status] || 0) + 1;
    total += amount;
  }
  emit({ result: { records: records.length, byStatus, totalAmount: total } });
}

module.exports = { handle };

if (require.main === module) {
  const emit = (message) => process.stdout.write(JSON.stringify(message) + "\n");
  (async () => {
    let input = "";
    for await (const chunk of process.stdin) input += chunk;
    await handle(input ? JSON.parse(input) : {}, emit);
  })().catch((error) => emit({ error: String((error && error.message) || error), retryable: false }));
}
