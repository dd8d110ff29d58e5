// BullMQ's half of the engine comparison: the same work as bench/engine/OurSide.cs, printed as one JSON line.
// Usage: node bullmq-side.mjs <redis port> add <jobs> | process <jobs> <concurrency>
import { Queue, Worker } from "bullmq";

const [port, mode, jobsArg, concurrencyArg] = process.argv.slice(2);
const connection = { host: "127.0.0.1", port: Number(port) };
const jobs = Number(jobsArg);
const removeWhenDone = { removeOnComplete: true };
const measured = "bench";
const warmupQueue = "bench-warmup";
const singlesQueue = "bench-add";
const jobName = "bench";
const warmupJobs = 5000;

const bulk = (count) => Array.from({ length: count }, (_, index) => ({ name: jobName, data: { index }, opts: removeWhenDone }));
const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;

async function add() {
  const warmup = new Queue(warmupQueue, { connection });
  await warmup.addBulk(bulk(warmupJobs));
  for (let index = 0; index < 200; index++) {
    await warmup.add(jobName, { index }, removeWhenDone);
  }

  const singles = new Queue(singlesQueue, { connection });
  const singleCount = Math.max(1, Math.floor(jobs / 4));
  let start = process.hrtime.bigint();
  for (let index = 0; index < singleCount; index++) {
    await singles.add(jobName, { index }, removeWhenDone);
  }
  const addSeconds = seconds(start);

  const queue = new Queue(measured, { connection });
  const jobsToAdd = bulk(jobs);
  start = process.hrtime.bigint();
  await queue.addBulk(jobsToAdd);
  const bulkSeconds = seconds(start);

  await Promise.all([warmup.close(), singles.close(), queue.close()]);
  return { add_per_s: singleCount / addSeconds, add_bulk_per_s: jobs / bulkSeconds };
}

// Starts a worker on a filled queue and times it until `count` jobs have completed.
async function drain(queueName, count, concurrency) {
  const start = process.hrtime.bigint();
  let completed = 0;
  let worker;
  await new Promise((resolve, reject) => {
    worker = new Worker(queueName, async () => {}, { connection, concurrency });
    worker.on("completed", () => {
      if (++completed === count) {
        resolve();
      }
    });
    worker.on("error", reject);
  });
  const elapsed = seconds(start);
  await worker.close();
  return elapsed;
}

async function processJobs(concurrency) {
  const warmup = new Queue(warmupQueue, { connection });
  await warmup.addBulk(bulk(warmupJobs));
  await warmup.close();
  await drain(warmupQueue, warmupJobs, concurrency);
  const cpuBefore = process.cpuUsage();
  const elapsed = await drain(measured, jobs, concurrency);
  const cpu = process.cpuUsage(cpuBefore);
  return {
    jobs_per_s: jobs / elapsed,
    rss_mb: process.resourceUsage().maxRSS / 1024,
    cpu_us_per_job: (cpu.user + cpu.system) / jobs,
  };
}

if (mode !== "add" && mode !== "process") {
  console.error(`Unknown mode '${mode}': use add or process.`);
  process.exit(2);
}
setTimeout(() => {
  console.error(`BullMQ ${mode} did not finish within 5 minutes.`);
  process.exit(1);
}, 5 * 60 * 1000).unref();
const result = mode === "add" ? await add() : await processJobs(Number(concurrencyArg));
console.log(JSON.stringify(result));
process.exit(0);
