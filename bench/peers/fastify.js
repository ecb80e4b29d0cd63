// Serves function.js with Sinch's Node runtime conventions on Fastify. Voice callbacks
// below /signed/ must carry the application signature of APP_KEY and APP_SECRET.
'use strict';

const fastify = require('fastify')({ logger: false, bodyLimit: 1048576 });
const context = require('./context');
const handlers = require('./function');
const { verifyApplicationSignature } = require('./signature');

const VOICE = new Set(['ice', 'ace', 'pie', 'dice', 'notify']);
const MAX_SKEW_SECONDS = Number(process.env.MAX_SKEW_SECONDS || 600);

// The signature covers the raw body, so the JSON parser keeps it next to the parsed
// one and parses with Fastify's own default parser.
const parseJson = fastify.getDefaultJsonParser('error', 'error');
fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
  req.rawBody = body;
  parseJson(req, body, done);
});

fastify.all('/*', async (req, reply) => {
  const path = req.url.split('?')[0];
  const segments = path.split('/').filter(Boolean);
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
    if (path.startsWith('/signed/') &&
        !verifyApplicationSignature(req, req.rawBody, process.env.APP_KEY, process.env.APP_SECRET, MAX_SKEW_SECONDS)) {
      return reply.code(401).send({ error: 'The request signature is not valid.' });
    }
    return handler(context, req.body);
  }
  const result = await handler(context, req);
  return reply.code(result.statusCode || 200).headers(result.headers || {}).send(result.body);
});

fastify.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
