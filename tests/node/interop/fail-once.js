// Takes one job with BullMQ's own Worker, fails that attempt with "failed on bullmq", then closes before any retry
// and prints the job as BullMQ saw it. Usage: node fail-once.js <redis> <prefix> <queue>
const { Worker } = require("bullmq");
const { queueOptions } = require("./connection");

const [redis, prefix, queueName] = process.argv.slice(2);
const worker = new Worker(queueName, async () => { throw new Error("failed on bullmq"); },
  { ...queueOptions(redis, prefix), concurrency: 1 });
worker.once("failed", async (job, error) => {
  const state = await job.getState();
  // The job's backoff keeps its retry from being due before this worker has closed.
  await worker.close();
  console.log(JSON.stringify({ id: job.id, attemptsMade: job.attemptsMade, failedReason: error.message, state }));
  process.exit(0);
});
worker.on("error", (error) => console.error(String(error)));
