import { startOpenAIServer } from '@taxonomist/testing';
const s = await startOpenAIServer();
console.log('ok', s.url);
await s.close();
