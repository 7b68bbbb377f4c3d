// The request executor we hand to the Okta SDK. Every request the SDK makes
// (API calls, pagination, the OAuth token call) passes through `fetch` here:
// - the rate budget decides when it may go (see rate-budget.ts);
// - each answer's X-Rate-Limit-* headers update the budget;
// - 429s wait for X-Rate-Limit-Reset, 5xx/network errors/time-outs back off
//   exponentially with jitter, both with bounded attempts;
// - the body is read here, inside the retry loop, so a connection dropped
//   half-way through a page is retried like any other network error rather
//   than surfacing later from `res.json()` where nobody can retry it.
import { RequestExecutor } from '@okta/okta-sdk-nodejs';
import type { Clock } from '../../context.js';
import { createHttpTransport } from './http-transport.js';
import { isRetryableNetworkError, networkError, OktaError } from './okta-errors.js';
import { bucketFor, readRateLimitHeaders, type BucketName, type RateBudget, type Sleep } from './rate-budget.js';

export type HeadersLike = {
  get: (name: string) => string | null;
  forEach: (cb: (value: string, name: string) => void) => void;
};

export type TransportResponse = {
  status: number;
  statusText?: string;
  url?: string;
  headers: HeadersLike;
  buffer?: () => Promise<Buffer>;
  arrayBuffer: () => Promise<ArrayBuffer>;
};

export type TransportInit = {
  method: string;
  headers: Record<string, string>;
  body?: unknown;
  signal: AbortSignal;
  agent?: unknown;
  [key: string]: unknown;
};

/** Sends one HTTP request and reads its body; the default is createHttpTransport() (node:http). */
export type Transport = (url: string, init: TransportInit) => Promise<TransportResponse>;

export type ResponseInfo = {
  method: string;
  url: string;
  bucket: BucketName;
  status: number | null;
  attempt: number;
  durationMs: number;
  error?: string;
};

export type ExecutorStats = {
  requests: number;
  retries: number;
  rateLimited: number;
  timeouts: number;
  bytes: number;
  /** Requests sent per rate-limit bucket (retries included: they count against the bucket too). */
  byBucket: Partial<Record<BucketName, number>>;
};

export type ExecutorOptions = {
  budget: RateBudget;
  clock: Clock;
  sleep: Sleep;
  transport?: Transport;
  /** Retries after 5xx, network errors and time-outs (attempts = maxRetries + 1). */
  maxRetries?: number;
  /** Retries after 429; each waits for the bucket's reset. */
  maxRateLimitRetries?: number;
  /** Per attempt, from sending to the last byte of the body. */
  timeoutMs?: number;
  /** First back-off step; doubles per attempt up to `maxBackoffMs`. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  random?: () => number;
  signal?: AbortSignal;
  onResponse?: (info: ResponseInfo) => void;
};

/** Set on a request object to override the retry count for that request (connection tests fail fast). */
export const RETRY_LIMIT = 'latchkeyRetryLimit';

// Aborting with a ready-made reason: the default one is a new DOMException
// with a stack trace, per request, which showed up in profiles.
const DONE = Symbol('done');

class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** A fully read response: what the SDK and our raw pagination consume. */
export class BufferedResponse {
  readonly ok: boolean;
  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly url: string,
    readonly headers: HeadersLike,
    readonly body: Buffer,
  ) {
    this.ok = status >= 200 && status < 300;
  }
  text(): Promise<string> {
    return Promise.resolve(this.body.toString('utf8'));
  }
  json(): Promise<unknown> {
    return Promise.resolve(JSON.parse(this.body.toString('utf8')) as unknown);
  }
  buffer(): Promise<Buffer> {
    return Promise.resolve(this.body);
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    return Promise.resolve(this.body.buffer.slice(this.body.byteOffset, this.body.byteOffset + this.body.byteLength) as ArrayBuffer);
  }
  clone(): BufferedResponse {
    return new BufferedResponse(this.status, this.statusText, this.url, this.headers, this.body);
  }
}

/**
 * OAuth errors from /oauth2/v1/token come as {error, error_description}; the
 * SDK's OktaApiError only keeps errorCode/errorSummary. Restating them in
 * Okta's shape keeps the description in the error the caller sees.
 */
function normaliseErrorBody(status: number, body: Buffer): Buffer {
  if (status < 400 || body.length === 0 || body.length > 64 * 1024) return body;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    if (parsed && typeof parsed === 'object' && !parsed.errorSummary && typeof parsed.error === 'string') {
      const summary = typeof parsed.error_description === 'string' ? parsed.error_description : parsed.error;
      return Buffer.from(JSON.stringify({ ...parsed, errorCode: parsed.error, errorSummary: summary }));
    }
  } catch {
    // not JSON: the SDK reports it as an HttpError with the status
  }
  return body;
}

type SdkRequest = {
  url?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  agent?: unknown;
  [RETRY_LIMIT]?: number;
  [key: string]: unknown;
};

const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);

export class BudgetedRequestExecutor extends RequestExecutor {
  readonly stats: ExecutorStats = { requests: 0, retries: 0, rateLimited: 0, timeouts: 0, bytes: 0, byBucket: {} };
  private readonly opts: Required<Omit<ExecutorOptions, 'transport' | 'signal' | 'onResponse'>> &
    Pick<ExecutorOptions, 'signal' | 'onResponse'>;
  private readonly transport: Transport;

  constructor(options: ExecutorOptions) {
    super();
    this.opts = {
      budget: options.budget,
      clock: options.clock,
      sleep: options.sleep,
      maxRetries: options.maxRetries ?? 5,
      maxRateLimitRetries: options.maxRateLimitRetries ?? 8,
      timeoutMs: options.timeoutMs ?? 60_000,
      baseBackoffMs: options.baseBackoffMs ?? 250,
      maxBackoffMs: options.maxBackoffMs ?? 20_000,
      random: options.random ?? Math.random,
      signal: options.signal,
      onResponse: options.onResponse,
    };
    this.transport = options.transport ?? createHttpTransport();
  }

  /** Exponential back-off with "equal jitter": half fixed, half random, so retries spread out. */
  backoffMs(failures: number): number {
    const step = Math.min(this.opts.maxBackoffMs, this.opts.baseBackoffMs * 2 ** Math.max(0, failures - 1));
    return step / 2 + this.opts.random() * (step / 2);
  }

  override async fetch(request: SdkRequest): Promise<never> {
    // The SDK's typings promise a node-fetch Response; BufferedResponse has
    // every member the SDK uses (status, headers, text, json, buffer).
    return (await this.execute(request)) as never;
  }

  async execute(request: SdkRequest): Promise<BufferedResponse> {
    const url = String(request.url);
    const method = (request.method ?? 'GET').toUpperCase();
    const bucket = bucketFor(url);
    const retryLimit = request[RETRY_LIMIT] ?? this.opts.maxRetries;
    const signal = this.opts.signal;
    const headers: Record<string, string> = { ...request.headers };
    let failures = 0;
    let throttles = 0;

    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      const ticket = await this.opts.budget.acquire(bucket, signal);
      const started = this.opts.clock.now().getTime();
      const timeout = new AbortController();
      const timer = new AbortController();
      void this.opts.sleep(this.opts.timeoutMs, timer.signal).then(() => {
        if (!timer.signal.aborted) timeout.abort(new TimeoutError(`no complete answer within ${this.opts.timeoutMs} ms`));
      });
      const combined = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
      this.stats.requests++;
      this.stats.byBucket[bucket] = (this.stats.byBucket[bucket] ?? 0) + 1;
      let res: TransportResponse;
      let body: Buffer;
      try {
        const { [RETRY_LIMIT]: _ignored, url: _url, headers: _h, ...rest } = request;
        res = await this.transport(url, { ...rest, method, headers, signal: combined });
        body = res.buffer ? await res.buffer() : Buffer.from(await res.arrayBuffer());
      } catch (e) {
        timer.abort(DONE);
        this.opts.budget.release(ticket, null);
        if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError');
        const timedOut = timeout.signal.aborted;
        if (timedOut) this.stats.timeouts++;
        this.report(method, url, bucket, null, attempt, started, timedOut ? 'timeout' : describe(e));
        if ((timedOut || isRetryableNetworkError(e)) && failures < retryLimit) {
          failures++;
          this.stats.retries++;
          await this.opts.sleep(this.backoffMs(failures), signal);
          continue;
        }
        if (timedOut) {
          const u = new URL(url);
          const within = this.opts.timeoutMs >= 1000 ? `${Math.round(this.opts.timeoutMs / 1000)} s` : `${this.opts.timeoutMs} ms`;
          throw new OktaError(
            `${method} ${u.pathname} on ${u.host} got no complete answer within ${within}${attempt > 1 ? ` (after ${attempt} attempts)` : ''}`,
            'timeout',
            { path: u.pathname },
          );
        }
        throw networkError(e, method, url, attempt);
      }
      timer.abort(DONE);
      this.stats.bytes += body.length;
      const rl = readRateLimitHeaders((n) => res.headers.get(n));
      this.opts.budget.release(ticket, rl);
      this.report(method, url, bucket, res.status, attempt, started);

      if (res.status === 429) {
        this.stats.rateLimited++;
        this.opts.budget.exhausted(bucket, rl);
        if (throttles < this.opts.maxRateLimitRetries) {
          throttles++;
          this.stats.retries++;
          // Okta asks retries of a 429 to say which request they retry.
          const requestId = res.headers.get('x-okta-request-id');
          if (requestId && !headers['X-Okta-Retry-For']) headers['X-Okta-Retry-For'] = requestId;
          headers['X-Okta-Retry-Count'] = String(throttles);
          // With a usable reset the budget holds the next attempt until then;
          // without one (or one already past) fall back to back-off.
          if (this.opts.budget.resetAt(bucket) === null) await this.opts.sleep(this.backoffMs(throttles), signal);
          continue;
        }
      } else if (RETRYABLE_STATUS.has(res.status) && failures < retryLimit) {
        failures++;
        this.stats.retries++;
        await this.opts.sleep(this.backoffMs(failures), signal);
        continue;
      }
      return new BufferedResponse(
        res.status,
        res.statusText ?? '',
        res.url || url,
        res.headers,
        normaliseErrorBody(res.status, body),
      );
    }
  }

  private report(method: string, url: string, bucket: BucketName, status: number | null, attempt: number, started: number, error?: string): void {
    this.opts.onResponse?.({
      method,
      url,
      bucket,
      status,
      attempt,
      durationMs: this.opts.clock.now().getTime() - started,
      ...(error ? { error } : {}),
    });
  }
}

function describe(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : e instanceof Error ? e.name : 'error';
}
