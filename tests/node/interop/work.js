// Processes jobs with BullMQ's own Worker until <count> have completed, printing each as a JSON line.
// The return value echoes the job and what the processor saw of earlier attempts.
// Usage: node work.js <redis> <prefix> <queue> <count> [workerOptionsJson]
const { Worker } = require("bullmq");
const { queueOptions } = require("./connection");

const [redis, prefix, queueName, count, workerOptions] = process.argv.slice(2);
let done = 0;
const worker = new Worker(queueName, async (job) => ({
  echoed: job.data,
  name: job.name,
  by: "bullmq",
  seen: { attemptsMade: job.attemptsMade, failedReason: job.failedReason ?? null, stacktrace: job.stacktrace.length },
}), { ...queueOptions(redis, prefix), ...JSON.parse(workerOptions ?? "{}") });
worker.on("completed", async (job, result) => {
  console.log(JSON.stringify({ id: job.id, name: job.name, data: job.data, priority: job.opts.priority ?? 0, attemptsMade: job.attemptsMade, stalledCounter: job.stalledCounter, result }));
  if (++done >= Number(count)) {
    await worker.close();
    process.exit(0);
  }
});
worker.on("error", (error) => console.error(String(error)));
