// Prints, as one JSON object, what BullMQ's own Queue reads from a queue: counts, paused flag, the ids of every state,
// requested pages of getJobs, requested jobs (with their state) and job logs.
// Usage: node inspect.js <redis> <prefix> <queue> <requestJson>
//   requestJson: {"jobIds":[...], "pages":[{"state","start","end","asc"}], "logsOf":[...]}
const { Queue } = require("bullmq");
const { queueOptions } = require("./connection");

const states = ["active", "completed", "delayed", "failed", "prioritized", "waiting", "waiting-children"];

function describe(job) {
  return {
    id: job.id,
    name: job.name,
    data: job.data,
    opts: {
      priority: job.opts.priority ?? 0,
      // BullMQ stores 0 when no attempts were given and runs such a job once, as with 1.
      attempts: Math.max(1, job.opts.attempts ?? 1),
      delay: job.opts.delay ?? 0,
      backoff: job.opts.backoff ?? null,
    },
    attemptsMade: job.attemptsMade,
    attemptsStarted: job.attemptsStarted,
    failedReason: job.failedReason ?? null,
    returnvalue: job.returnvalue ?? null,
    stacktrace: (job.stacktrace ?? []).length,
    timestamp: job.timestamp,
    processedOn: job.processedOn ?? null,
    finishedOn: job.finishedOn ?? null,
    progress: job.progress,
    delay: job.delay,
    priority: job.priority,
  };
}

(async () => {
  const [redis, prefix, queueName, requestJson] = process.argv.slice(2);
  const request = JSON.parse(requestJson);
  const queue = new Queue(queueName, queueOptions(redis, prefix));
  const result = { counts: await queue.getJobCounts(), paused: await queue.isPaused(), states: {}, pages: [], jobs: {}, logs: {} };
  for (const state of states) {
    result.states[state] = (await queue.getJobs([state])).map((job) => job.id);
  }
  for (const page of request.pages) {
    result.pages.push((await queue.getJobs([page.state], page.start, page.end, page.asc)).map((job) => job.id));
  }
  for (const id of request.jobIds) {
    const job = await queue.getJob(id);
    result.jobs[id] = job ? { ...describe(job), state: await job.getState() } : null;
  }
  for (const id of request.logsOf) {
    result.logs[id] = await queue.getJobLogs(id);
  }
  console.log(JSON.stringify(result));
  await queue.close();
  // A cluster connection given as an instance stays open after close(); nothing is left to wait for.
  process.exit(0);
})().catch((error) => { console.error(error); process.exit(1); });
