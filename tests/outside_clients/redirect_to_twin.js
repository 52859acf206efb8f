// Preloaded into Node (`node --require redirect_to_twin.js`) by tests/test_outside_clients.py.
//
// Twilio's Node SDK and the Twilio CLI speak HTTPS to https://<product>.twilio.com. This sends
// every such request, unchanged in path, query, headers and body, to the sandbox twin (plain HTTP
// on 127.0.0.1, ATA_TWIN_URL), as ata_helpers.twilio_api's SandboxHttpClient does for Python. A
// request to any other host except loopback is refused: the tests never reach the network.
// A keep-alive agent stays a keep-alive agent, so connection reuse is exercised as with Twilio.
'use strict';
const http = require('http');
const https = require('https');

const twin = new URL(process.env.ATA_TWIN_URL);
const keepAliveAgent = new http.Agent({ keepAlive: true });
const log = process.env.ATA_TWIN_REQUEST_LOG ? require('fs') : null;

function toOptions(input, options) {
  let opts = {};
  if (typeof input === 'string' || input instanceof URL) {
    const url = new URL(input);
    opts = { protocol: url.protocol, hostname: url.hostname, port: url.port,
             path: url.pathname + url.search };
    Object.assign(opts, options || {});
  } else {
    opts = Object.assign({}, input || {});
  }
  return opts;
}

function redirected(input, options) {
  const opts = toOptions(input, options);
  const host = String(opts.hostname || opts.host || '').replace(/:\d+$/, '').toLowerCase();
  if (host === 'twilio.com' || host.endsWith('.twilio.com')) {
    const wasKeepAlive = Boolean(opts.agent && opts.agent.keepAlive);
    opts.protocol = 'http:';
    opts.hostname = twin.hostname;
    opts.host = twin.hostname;
    opts.port = twin.port;
    opts.agent = wasKeepAlive ? keepAliveAgent : undefined;
    opts.headers = Object.assign({}, opts.headers, { 'X-Sandbox-Original-Host': host });
    delete opts.servername;
    if (log) {
      log.appendFileSync(process.env.ATA_TWIN_REQUEST_LOG, `${opts.method || 'GET'} https://${host}${opts.path}\n`);
    }
    return opts;
  }
  if (host === '127.0.0.1' || host === 'localhost' || host === '::1') {
    return null;
  }
  throw new Error(`outside-client test: refusing a request to ${host} (only *.twilio.com, sent to the twin)`);
}

const originalHttpsRequest = https.request;
https.request = function request(input, options, callback) {
  if (typeof options === 'function') {
    callback = options;
    options = undefined;
  }
  const opts = redirected(input, options);
  if (opts === null) {
    return originalHttpsRequest.call(https, input, options, callback);
  }
  return http.request(opts, callback);
};
https.get = function get(input, options, callback) {
  const req = https.request(input, options, callback);
  req.end();
  return req;
};
