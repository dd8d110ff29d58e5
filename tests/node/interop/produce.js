// Produces events with BullMQ's own Queue and Worker: job "node-ok" reports progress and completes, "node-fail" fails
// ("boom", no retry), "node-later" is delayed by an hour. Exits once the first two have finished.
// Usage: node produce.js <redis> <prefix> <queue>
const { Queue, Worker } = require("bullmq");
const { queueOptions } = require("./connection");

(async () => {
  const [redis, prefix, queueName] = process.argv.slice(2);
  const queue = new Queue(queueName, queueOptions(redis, prefix));
  await queue.add("ok", { n: 1 }, { jobId: "node-ok" });
  await queue.add("fail", { n: 2 }, { jobId: "node-fail", attempts: 1 });
  await queue.add("later", { n: 3 }, { jobId: "node-later", delay: 3600000 });
  const worker = new Worker(queueName, async (job) => {
    if (job.name === "fail") {
      throw new Error("boom");
    }
    await job.updateProgress({ stage: "half" });
    return { ok: true };
  }, queueOptions(redis, prefix));
  worker.on("error", (error) => console.error(String(error)));
  let finished = 0;
  await new Promise((resolve) => {
    const settle = () => { if (++finished === 2) resolve(); };
    worker.on("completed", settle);
    worker.on("failed", settle);
  });
  await worker.close();
  await queue.close();
  console.log(JSON.stringify({ finished }));
  process.exit(0);
})().catch((error) => { console.error(error); process.exit(1); });
