// Runs one action of BullMQ's own Queue/Job on a queue, as Bull Board does, and prints what it returned.
// Usage: node act.js <redis> <prefix> <queue> <action> [arguments]
//   actions: retry <jobId> [<state>] (failed unless given), remove <jobId>..., promote <jobId>, pause, resume,
//            schedule <schedulerId> <everyMs> [<endsInMs> [<templateOptsJson>]] (ends that long from now, or never),
//            concurrency <n> (global concurrency), ratelimit <max> <durationMs> (global rate limit),
//            workers (the workers BullMQ, and so Bull Board, counts on the queue),
//            clean <state> (removes every job of a finished state), drain (removes waiting and delayed jobs)
const { Job, Queue } = require("bullmq");
const { queueOptions } = require("./connection");

(async () => {
  const [redis, prefix, queueName, action, ...rest] = process.argv.slice(2);
  const queue = new Queue(queueName, queueOptions(redis, prefix));
  let result = null;
  switch (action) {
    case "retry": await (await Job.fromId(queue, rest[0])).retry(rest[1] ?? "failed"); break;
    case "remove": for (const id of rest) { await queue.remove(id); } break;
    case "promote": await (await Job.fromId(queue, rest[0])).promote(); break;
    case "pause": await queue.pause(); break;
    case "resume": await queue.resume(); break;
    case "schedule": {
      const repeat = { every: Number(rest[1]), ...(Number(rest[2]) > 0 ? { endDate: Date.now() + Number(rest[2]) } : {}) };
      result = (await queue.upsertJobScheduler(rest[0], repeat, { name: "tick", data: { from: "bullmq" }, opts: JSON.parse(rest[3] ?? "{}") })).id;
      break;
    }
    case "concurrency": await queue.setGlobalConcurrency(Number(rest[0])); break;
    case "ratelimit": await queue.setGlobalRateLimit(Number(rest[0]), Number(rest[1])); break;
    case "workers": result = (await queue.getWorkers()).map((worker) => worker.rawname); break;
    case "clean": result = await queue.clean(0, 1000, rest[0]); break;
    case "drain": await queue.drain(true); break;
    default: throw new Error(`unknown action ${action}`);
  }
  console.log(JSON.stringify({ action, result }));
  await queue.close();
  // A cluster connection given as an instance stays open after close(); nothing is left to wait for.
  process.exit(0);
})().catch((error) => { console.error(error); process.exit(1); });
