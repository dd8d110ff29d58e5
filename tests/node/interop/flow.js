// Adds a parent job to <queue> whose one child waits in <childQueue>, with BullMQ's own FlowProducer, so the parent
// stays in waiting-children; prints the parent's id. Usage: node flow.js <redis> <prefix> <queue> <childQueue>
const { FlowProducer } = require("bullmq");
const { queueOptions } = require("./connection");

(async () => {
  const [redis, prefix, queueName, childQueue] = process.argv.slice(2);
  const flows = new FlowProducer(queueOptions(redis, prefix));
  const flow = await flows.add({
    name: "parent",
    queueName,
    data: { role: "parent" },
    children: [{ name: "child", queueName: childQueue, data: { role: "child" } }],
  });
  console.log(JSON.stringify({ id: flow.job.id }));
  await flows.close();
  // A cluster connection given as an instance stays open after close(); nothing is left to wait for.
  process.exit(0);
})().catch((error) => { console.error(error); process.exit(1); });
