// Serves function.js with Sinch's Node runtime conventions on Fastify.
'use strict';

const fastify = require('fastify')({ logger: false, bodyLimit: 1048576 });
const handlers = require('./function');

const VOICE = new Set(['ice', 'ace', 'pie', 'dice', 'notify']);

fastify.all('/*', async (req, reply) => {
  const segments = req.url.split('?')[0].split('/').filter(Boolean);
  const name = segments.length ? segments[segments.length - 1] : 'default';
  if (name === 'health' && !handlers.health) {
    return { status: 'healthy' };
  }
  const handler = handlers[name];
  if (!handler) {
    return reply.code(404).send({ error: 'not found', route: name });
  }
  if (VOICE.has(name)) {
    if (req.method !== 'POST') return reply.code(405).header('Allow', 'POST').send({ error: 'POST only' });
    return handler({}, req.body);
  }
  const result = handler({}, req);
  return reply.code(result.statusCode || 200).headers(result.headers || {}).send(result.body);
});

fastify.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
