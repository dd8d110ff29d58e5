// Adds one job with BullMQ's own Queue and prints its id. Usage: node add.js <port> <queue> <name> <dataJson> <optsJson>
const { Queue } = require("bullmq");

(async () => {
  const [port, queueName, name, data, opts] = process.argv.slice(2);
  const queue = new Queue(queueName, { connection: { host: "127.0.0.1", port: Number(port) } });
  const job = await queue.add(name, JSON.parse(data), JSON.parse(opts));
  console.log(JSON.stringify({ id: job.id }));
  await queue.close();
})().catch((error) => { console.error(error); process.exit(1); });
