// Serves function.js the way Sinch's Node runtime does: Express, JSON bodies, the last
// path segment picks the export, voice callbacks return SVAML.
'use strict';

const express = require('express');
const handlers = require('./function');

const VOICE = new Set(['ice', 'ace', 'pie', 'dice', 'notify']);
const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: '1mb' }));

app.all('*', (req, res) => {
  const segments = req.path.split('/').filter(Boolean);
  const name = segments.length ? segments[segments.length - 1] : 'default';
  if (name === 'health' && !handlers.health) {
    return res.json({ status: 'healthy' });
  }
  const handler = handlers[name];
  if (!handler) {
    return res.status(404).json({ error: 'not found', route: name });
  }
  if (VOICE.has(name)) {
    if (req.method !== 'POST') return res.status(405).set('Allow', 'POST').json({ error: 'POST only' });
    return res.json(handler({}, req.body));
  }
  const result = handler({}, req);
  res.status(result.statusCode || 200).set(result.headers || {}).json(result.body);
});

app.listen(Number(process.env.PORT), '127.0.0.1');
