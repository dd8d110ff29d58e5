// Processes jobs with BullMQ's own Worker until <count> have completed, printing each as a JSON line.
// Usage: node work.js <port> <queue> <count>
const { Worker } = require("bullmq");

const [port, queueName, count] = process.argv.slice(2);
let done = 0;
const worker = new Worker(queueName, async (job) => ({ echoed: job.data, name: job.name, by: "bullmq" }),
  { connection: { host: "127.0.0.1", port: Number(port) } });
worker.on("completed", async (job, result) => {
  console.log(JSON.stringify({ id: job.id, name: job.name, data: job.data, priority: job.opts.priority ?? 0, result }));
  if (++done >= Number(count)) {
    await worker.close();
    process.exit(0);
  }
});
worker.on("error", (error) => console.error(String(error)));
