// Puts jobs in every state with BullMQ's own Queue, Worker and FlowProducer, the same jobs the .NET test makes with
// our engine: completed (progress, logs, return value), failed, failed once and delayed for a retry, active (held
// by this process's worker when it exits), waiting (one LIFO), prioritized, delayed, and a flow parent waiting for
// its child in <queue>-children; then pauses the queue and prints the ids.
// Usage: node states.js <redis> <prefix> <queue>
const { FlowProducer, Queue, Worker } = require("bullmq");
const { queueOptions } = require("./connection");

(async () => {
  const [redis, prefix, queueName] = process.argv.slice(2);
  const queue = new Queue(queueName, queueOptions(redis, prefix));
  let holding;
  const held = new Promise((resolve) => { holding = resolve; });
  const worker = new Worker(queueName, async (job) => {
    switch (job.name) {
      case "completes":
        await job.updateProgress({ step: 3, of: 3 });
        await job.log("first line");
        await job.log("second line");
        return { total: 3, items: ["a", "b"] };
      case "holds":
        await job.updateProgress(40);
        holding();
        return new Promise(() => {});
      default:
        throw new Error(`${job.name} went wrong`);
    }
  }, { ...queueOptions(redis, prefix), concurrency: 1 });
  worker.on("error", (error) => console.error(String(error)));
  const settled = (count) => new Promise((resolve) => {
    let seen = 0;
    const done = () => { if (++seen === count) resolve(); };
    worker.on("completed", done);
    worker.on("failed", done);
  });

  const firstThree = settled(3);
  const completed = (await queue.add("completes", { n: 1 })).id;
  const failed = (await queue.add("fails", { n: 2 })).id;
  const retrying = (await queue.add("retries", { n: 3 }, { attempts: 3, backoff: { type: "fixed", delay: 3600000 } })).id;
  await firstThree;
  const active = (await queue.add("holds", { n: 4 }, { priority: 7 })).id;
  await held;
  const waiting = [
    (await queue.add("waits", { n: 5 })).id,
    (await queue.add("waits", { n: 6 }, { lifo: true })).id,
    (await queue.add("waits", { n: 7, text: 'a "quoted" line' })).id,
  ];
  const prioritized = [
    (await queue.add("ranked", { n: 8 }, { priority: 2 })).id,
    (await queue.add("ranked", { n: 9 }, { priority: 1 })).id,
    (await queue.add("ranked", { n: 10 }, { priority: 2 })).id,
  ];
  const delayed = (await queue.add("later", { n: 11 }, { delay: 3600000, attempts: 2 })).id;
  const flow = await new FlowProducer(queueOptions(redis, prefix)).add({
    name: "parent",
    queueName,
    data: { role: "parent" },
    children: [{ name: "child", queueName: `${queueName}-children`, data: { role: "child" } }],
  });
  await queue.pause();
  console.log(JSON.stringify({ completed, failed, retrying, active, waiting, prioritized, delayed, parent: flow.job.id }));
  // Exiting with the held job still active leaves it in the active list, as a crashed worker would.
  process.exit(0);
})().catch((error) => { console.error(error); process.exit(1); });
