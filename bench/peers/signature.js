// Checks the Sinch application signature of a voice callback the way mod_sinchfn does.
// Authorization is "Application KEY:SIGNATURE". SIGNATURE is the base64 HMAC-SHA256,
// keyed with the base64-decoded secret, of the method, the Content-MD5 of the raw body,
// Content-Type, x-timestamp and the path. x-timestamp must lie within maxSkewSeconds of now.
'use strict';

const crypto = require('crypto');

// rawBody is the body as received: a Buffer, or a string decoded as UTF-8.
function verifyApplicationSignature(request, rawBody, key, secret, maxSkewSeconds) {
  const authorization = request.headers.authorization || '';
  const parts = authorization.split(' ');
  if (parts.length !== 2 || parts[0].toLowerCase() !== 'application') return false;
  const credentials = parts[1].split(':');
  if (credentials.length !== 2 || credentials[0] !== key) return false;

  const timestamp = request.headers['x-timestamp'];
  if (!timestamp) return false;
  const contentMd5 = rawBody && rawBody.length ? crypto.createHash('md5').update(rawBody).digest('base64') : '';
  const path = request.url.split('?')[0];
  const stringToSign = [request.method.toUpperCase(), contentMd5, request.headers['content-type'] || '',
    `x-timestamp:${timestamp}`, path].join('\n');
  const expected = crypto.createHmac('sha256', Buffer.from(secret, 'base64')).update(stringToSign).digest();
  const received = Buffer.from(credentials[1], 'base64');
  if (received.length !== expected.length || !crypto.timingSafeEqual(received, expected)) return false;

  const sent = Date.parse(timestamp);
  return !Number.isNaN(sent) && Math.abs(Date.now() - sent) <= maxSkewSeconds * 1000;
}

module.exports = { verifyApplicationSignature };
