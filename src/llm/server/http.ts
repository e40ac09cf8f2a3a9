/** HTTP plumbing of `strata serve`: JSON bodies, OpenAI-shaped errors, server-sent events, Bearer auth and CORS. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestError } from './request.ts';
import type { Body } from './request.ts';

export const MAX_BODY_BYTES = 16 << 20;

export async function readJson(req: IncomingMessage): Promise<Body> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new RequestError(413, `request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new RequestError(400, 'request body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new RequestError(400, 'request body must be a JSON object');
  return body as Body;
}

/** JSON without NaN/Infinity (a log-probability of a zero-probability token is −Infinity): clamp to ±1e308. */
export function toJson(body: unknown): string {
  return JSON.stringify(body, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? (v > 0 ? 1e308 : -1e308) : v));
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = toJson(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function errorBody(e: RequestError): unknown {
  const type = e.status === 401 ? 'authentication_error' : e.status >= 500 ? 'server_error' : 'invalid_request_error';
  return { error: { message: e.message, type, param: e.param, code: e.code } };
}

/** Server-sent events in OpenAI's framing: `data: <json>` per event, then `data: [DONE]`. */
export class EventStream {
  private started = false;
  constructor(private readonly res: ServerResponse, private readonly headers: Record<string, string>) {}
  send(event: unknown): void {
    if (!this.started) {
      this.res.writeHead(200, { ...this.headers, 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      this.started = true;
    }
    if (!this.res.destroyed) this.res.write(`data: ${toJson(event)}\n\n`);
  }
  get isStarted(): boolean {
    return this.started;
  }
  end(): void {
    if (!this.res.destroyed) this.res.end('data: [DONE]\n\n');
  }
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Check `authorization: Bearer <key>` against the server's key. Both sides are hashed to equal-length digests so the
 * comparison takes the same time whatever the length or content of the guess.
 */
export function checkBearer(header: string | undefined, apiKeyDigest: Buffer): void {
  const match = /^Bearer[ \t]+(\S.*)$/i.exec(header ?? '');
  if (!match) {
    throw new RequestError(401, 'no API key given: send it as the header "Authorization: Bearer <key>"', null, 'invalid_api_key');
  }
  if (!timingSafeEqual(digest(match[1]!.trim()), apiKeyDigest)) {
    throw new RequestError(401, 'incorrect API key', null, 'invalid_api_key');
  }
}

export function apiKeyDigest(key: string): Buffer {
  return digest(key);
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host) || /^::ffff:127\./i.test(host);
}

/** Headers a CORS-enabled server adds to every answer. */
export function corsHeaders(origin: string | undefined): Record<string, string> {
  return origin === undefined ? {} : { 'access-control-allow-origin': origin, vary: 'Origin' };
}

export function answerPreflight(req: IncomingMessage, res: ServerResponse, origin: string): void {
  const asked = req.headers['access-control-request-headers'];
  res.writeHead(204, {
    ...corsHeaders(origin),
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': typeof asked === 'string' && /^[\w\-, ]{1,1000}$/.test(asked) ? asked : 'authorization, content-type',
    'access-control-max-age': '600',
    'content-length': '0',
  });
  res.end();
}
