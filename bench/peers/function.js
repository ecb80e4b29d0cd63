// The example function as a Sinch Node function: ice, status, inbound and greeting.
'use strict';

const fs = require('fs');
const path = require('path');

const started = Date.now();
// The notification counter is a variable of the process, as the cache of Sinch's Node
// runtime is in development (in memory, per Sinch's guide "Working with the Cache").
// NOTE: in production that cache is shared across instances, which costs more than this
// counter, while mod_sinchfn increments a shmcb entry shared by every Apache child.
let notifications = 0;
// The same greeting file that mod_sinchfn reads from the function's storage directory.
const greetingFile = path.join(process.env.STORAGE_DIR || path.join(__dirname, '../../handlers/example/storage'),
                               'greeting.txt');

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
    notifications += 1;
    context.log.info(`Notification received: ${message} (notification ${notifications})`);
    return { statusCode: 200, body: { received: true } };
  },
  greeting: async (context) => {
    let text;
    try {
      text = await fs.promises.readFile(greetingFile, 'utf8');
    } catch (error) {
      if (error.code === 'ENOENT') {
        return { statusCode: 404, body: { error: 'No greeting is stored; write the storage key greeting.txt' } };
      }
      throw error;
    }
    return { statusCode: 200, body: { greeting: text.trimEnd() } };
  },
};
