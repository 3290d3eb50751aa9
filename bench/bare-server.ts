import Fastify from 'fastify';

/** The ceiling: a bare Fastify JSON route, same runtime and logger level as the server under test. */
const app = Fastify({ logger: { level: 'warn' } });
app.get('/json', async () => ({ hello: 'world' }));
app.post('/json', async () => ({ hello: 'world' }));
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`listening on ${address}\n`);
