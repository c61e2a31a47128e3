'use strict';
/*
 * Preloaded into Adobe's extension tools (`node --require ./loopback.cjs <tool>`), so that they run
 * unmodified against a server on this machine.
 *
 * Why a preload: the tools have no option for their server. Their URLs are fixed in their envConfig.json
 * (reactor.adobe.io, reactor-dev, reactor-stage) and in @adobe/auth-token (ims-na1.adobelogin.com);
 * `--environment` only picks one of those, and neither node-fetch 2 (Reactor calls) nor Node 20's fetch
 * (the IMS call) honours HTTP(S)_PROXY. `--require` is Node's own hook for code that runs before a
 * program, so the tools' files stay byte for byte what npm installed.
 *
 * What it does: a request to one of Adobe's hosts goes to REACTOR_INTEROP_BASE_URL instead (plain HTTP,
 * same path and query); a request to any other host that is not loopback is refused, so nothing a tool
 * does can leave the machine.
 */

const http = require('http');
const https = require('https');
const { URL, urlToHttpOptions } = require('url');

const ADOBE_HOSTS = new Set([
  'reactor.adobe.io',
  'reactor-dev.adobe.io',
  'reactor-stage.adobe.io',
  'ims-na1.adobelogin.com',
  'ims-na1-stg1.adobelogin.com',
]);
const LOOPBACK_HOSTS = new Set(['localhost', '::1', '[::1]']);

const configured = process.env.REACTOR_INTEROP_BASE_URL;
if (!configured) {
  throw new Error('loopback.cjs: set REACTOR_INTEROP_BASE_URL to the local server, e.g. http://127.0.0.1:8080');
}
const target = new URL(configured);
if (target.protocol !== 'http:' || !isLoopback(target.hostname)) {
  throw new Error(`loopback.cjs: REACTOR_INTEROP_BASE_URL must be http:// on loopback, not ${configured}`);
}

function isLoopback(hostname) {
  return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

function refuse(hostname) {
  throw new Error(`loopback.cjs: refusing to reach ${hostname}: only Adobe's hosts (sent to ` +
    `${target.origin}) and loopback are allowed`);
}

/* Node's request(url[, options][, callback]) as one options object and the callback. */
function normalise(args) {
  let [first, second, third] = args;
  let options;
  if (typeof first === 'string' || first instanceof URL) {
    options = urlToHttpOptions(typeof first === 'string' ? new URL(first) : first);
    if (typeof second === 'function') {
      third = second;
    } else if (second) {
      options = { ...options, ...second };
    }
  } else {
    options = { ...first };
    third = second;
  }
  return [options, third];
}

function announce(method, from) {
  process.stderr.write(`[loopback.cjs] ${method} ${from} -> ${target.origin}\n`);
}

function redirected(options, defaultProtocol) {
  const hostname = options.hostname || (options.host || '').replace(/:\d+$/, '') || 'localhost';
  if (ADOBE_HOSTS.has(hostname)) {
    announce(options.method || 'GET', `${options.protocol || defaultProtocol}//${hostname}${options.path || '/'}`);
    const moved = { ...options, protocol: 'http:', hostname: target.hostname, host: target.hostname,
      port: target.port || 80 };
    delete moved.agent; // an https.Agent cannot carry a plain HTTP request
    delete moved.servername;
    return moved;
  }
  if (!isLoopback(hostname)) {
    refuse(hostname);
  }
  return { ...options, protocol: options.protocol || defaultProtocol };
}

function wrap(module, defaultProtocol) {
  const request = (...args) => {
    const [options, callback] = normalise(args);
    const moved = redirected(options, defaultProtocol);
    const through = moved.protocol === 'https:' ? originalHttps : originalHttp;
    return callback ? through(moved, callback) : through(moved);
  };
  module.request = request;
  module.get = (...args) => {
    const outgoing = request(...args);
    outgoing.end();
    return outgoing;
  };
}

const originalHttp = http.request.bind(http);
const originalHttps = https.request.bind(https);
wrap(http, 'http:');
wrap(https, 'https:');

if (typeof globalThis.fetch === 'function') {
  const originalFetch = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const plain = typeof input === 'string' || input instanceof URL;
    const url = new URL(plain ? input : input.url);
    if (ADOBE_HOSTS.has(url.hostname)) {
      announce((init && init.method) || (plain ? 'GET' : input.method), url.href);
      const moved = new URL(url.pathname + url.search, target);
      return originalFetch(plain ? moved : new Request(moved, input), init);
    }
    if (!isLoopback(url.hostname)) {
      refuse(url.hostname);
    }
    return originalFetch(input, init);
  };
}
