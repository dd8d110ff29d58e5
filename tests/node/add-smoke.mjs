import { Queue } from 'bullmq';
const q = new Queue('webhooks', { connection: { host: '127.0.0.1', port: 6391 } });
const id = process.argv[2];
await q.add('deliver', { MessageId: 'msg_' + id, InvocationId: id, ClientId: 'dev-client', Url: process.argv[3], EventType: 'bot.completed', Body: JSON.stringify({type:'bot.completed', timestamp: new Date().toISOString(), data: {jobId: id}}) }, { jobId: id });
await q.close();
