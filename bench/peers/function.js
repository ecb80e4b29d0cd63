// The example function as a Sinch Node function: ice, status and inbound.
'use strict';

const started = Date.now();

module.exports = {
  ice: (context) => ({
    action: { name: 'hangup' },
    instructions: [{ name: 'say', text: 'Welcome!' }],
  }),
  status: (context) => ({
    statusCode: 200,
    body: {
      status: 'healthy',
      functionName: 'example',
      environment: 'production',
      uptime: Math.floor((Date.now() - started) / 1000),
    },
  }),
  inbound: (context, request) => {
    const message = request.body && request.body.message;
    if (typeof message !== 'string') {
      return { statusCode: 400, body: { error: 'Missing message' } };
    }
    return { statusCode: 200, body: { received: true } };
  },
};
