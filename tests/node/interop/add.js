// Adds one job with BullMQ's own Queue and prints its id. Usage: node add.js <redis> <prefix> <queue> <name> <dataJson> <optsJson>
const { Queue } = require("bullmq");
const { queueOptions } = require("./connection");

(async () => {
  const [redis, prefix, queueName, name, data, opts] = process.argv.slice(2);
  const queue = new Queue(queueName, queueOptions(redis, prefix));
  const job = await queue.add(name, JSON.parse(data), JSON.parse(opts));
  console.log(JSON.stringify({ id: job.id }));
  await queue.close();
  // A cluster connection given as an instance stays open after close(); nothing is left to wait for.
  process.exit(0);
})().catch((error) => { console.error(error); process.exit(1); });
