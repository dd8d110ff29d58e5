// Takes one job with BullMQ's own Worker (lock of one second) and exits in the middle of processing it, as a worker
// that crashed: the job stays in active and its lock runs out. Prints the job's id. Its stalled interval is as short
// as the .NET worker's, since one stalled-check key throttles the sweeps of every worker of the queue.
// Usage: node die-holding.js <redis> <prefix> <queue>
const { Worker } = require("bullmq");
const { queueOptions } = require("./connection");

const [redis, prefix, queueName] = process.argv.slice(2);
new Worker(queueName, async (job) => {
  console.log(JSON.stringify({ id: job.id }));
  process.exit(0);
}, { ...queueOptions(redis, prefix), lockDuration: 1000, stalledInterval: 300 });
