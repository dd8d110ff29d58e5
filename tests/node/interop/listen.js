// Follows a queue's events with BullMQ's own QueueEvents from <lastEventId>, printing each as a JSON line, and waits
// with Job.waitUntilFinished for every given job; exits once all have finished.
// Usage: node listen.js <redis> <prefix> <queue> <lastEventId> <jobId>...
const { Job, Queue, QueueEvents } = require("bullmq");
const { queueOptions } = require("./connection");

const names = ["added", "waiting", "delayed", "active", "progress", "completed", "failed", "retries-exhausted", "stalled", "removed"];

(async () => {
  const [redis, prefix, queueName, lastEventId, ...jobIds] = process.argv.slice(2);
  const queueEvents = new QueueEvents(queueName, { ...queueOptions(redis, prefix), lastEventId });
  for (const name of names) {
    queueEvents.on(name, (args, id) => console.log(JSON.stringify({ event: name, id, args })));
  }
  await queueEvents.waitUntilReady();
  const queue = new Queue(queueName, queueOptions(redis, prefix));
  await Promise.all(jobIds.map(async (jobId) => {
    const job = await Job.fromId(queue, jobId);
    try {
      console.log(JSON.stringify({ finished: jobId, returnvalue: await job.waitUntilFinished(queueEvents, 60000) }));
    } catch (error) {
      console.log(JSON.stringify({ finished: jobId, failedReason: error.message }));
    }
  }));
  await queueEvents.close();
  await queue.close();
  process.exit(0);
})().catch((error) => { console.error(error); process.exit(1); });
