// BullMQ connection for "host:port" (one redis-server) or "host:port,host:port,..." (a Redis Cluster).
const { Cluster } = require("ioredis");

function connection(spec) {
  const nodes = spec.split(",").map((node) => {
    const [host, port] = node.split(":");
    return { host, port: Number(port) };
  });
  if (nodes.length === 1) {
    return { ...nodes[0], maxRetriesPerRequest: null };
  }
  return new Cluster(nodes, { redisOptions: { maxRetriesPerRequest: null } });
}

// Options shared by every BullMQ object of a script: the connection and the key prefix (which carries the cluster hash tag).
function queueOptions(spec, prefix) {
  return { connection: connection(spec), prefix };
}

module.exports = { queueOptions };
