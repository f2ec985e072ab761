import { startOpenAIServer } from '@taxonomist/testing';
const server = await startOpenAIServer({ script: () => 'streamed hello' });
console.log('started');
const r = await fetch(server.url + '/chat/completions', { method: 'POST', body: JSON.stringify({ model: 'x', messages: [{ role: 'user', content: 'hi' }], stream: true }) });
console.log(r.status, await r.text());
await server.close();
