// Serves function.js the way Sinch's Node runtime does: Express, JSON bodies, the last
// path segment picks the export, voice callbacks return SVAML. Voice callbacks below
// /signed/ must carry the application signature of APP_KEY and APP_SECRET.
'use strict';

const express = require('express');
const context = require('./context');
const handlers = require('./function');
const { verifyApplicationSignature } = require('./signature');

const VOICE = new Set(['ice', 'ace', 'pie', 'dice', 'notify']);
const MAX_SKEW_SECONDS = Number(process.env.MAX_SKEW_SECONDS || 600);
const app = express();
app.disable('x-powered-by');
// The signature covers the raw body, so it is kept next to the parsed one.
app.use(express.json({ limit: '1mb', verify: (req, res, buffer) => { req.rawBody = buffer; } }));

app.all('*', async (req, res) => {
  const segments = req.path.split('/').filter(Boolean);
  const name = segments.length ? segments[segments.length - 1] : 'default';
  if (name === 'health' && !handlers.health) {
    return res.json({ status: 'healthy' });
  }
  const handler = handlers[name];
  if (!handler) {
    return res.status(404).json({ error: 'not found', route: name });
  }
  try {
    if (VOICE.has(name)) {
      if (req.method !== 'POST') return res.status(405).set('Allow', 'POST').json({ error: 'POST only' });
      if (req.path.startsWith('/signed/') &&
          !verifyApplicationSignature(req, req.rawBody, process.env.APP_KEY, process.env.APP_SECRET, MAX_SKEW_SECONDS)) {
        return res.status(401).json({ error: 'The request signature is not valid.' });
      }
      return res.json(await handler(context, req.body));
    }
    const result = await handler(context, req);
    res.status(result.statusCode || 200).set(result.headers || {}).json(result.body);
  } catch (error) {
    console.error(`${name} failed: ${error.message}`);
    res.status(500).json({ error: 'internal error' });
  }
});

app.listen(Number(process.env.PORT), '127.0.0.1');
