// Error shapes of the two Microsoft services the Graph sandbox imitates:
// Graph itself ({"error":{"code","message","innerError":{...}}}) and the
// Microsoft identity platform's token endpoint (AADSTS errors).
import { randomUUID } from 'node:crypto';

export type GraphReply = {
  status: number;
  /** A JSON body (serialised by the server). */
  json?: unknown;
  /** A Graph error: the server adds innerError (date, request-id, client-request-id). */
  error?: { code: string; message: string };
  headers?: Record<string, string>;
};

/** Thrown by route handlers; the server answers `reply`. */
export class GraphHttpError extends Error {
  readonly reply: GraphReply;
  constructor(status: number, code: string, message: string, headers?: Record<string, string>) {
    super(message);
    this.reply = { status, error: { code, message }, ...(headers ? { headers } : {}) };
  }
}

export const graphError = (status: number, code: string, message: string, headers?: Record<string, string>): GraphReply => ({
  status,
  error: { code, message },
  ...(headers ? { headers } : {}),
});

export const notFound = (id: string): GraphHttpError =>
  new GraphHttpError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);

/** "2026-11-22 00:22:42Z", as the identity platform writes timestamps. */
const aadTimestamp = (now: Date): string => `${now.toISOString().slice(0, 19).replace('T', ' ')}Z`;

/** An AADSTS error body from /{tenant}/oauth2/v2.0/token. */
export function aadError(status: number, error: string, code: number, message: string, now: Date): GraphReply {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = aadTimestamp(now);
  return {
    status,
    json: {
      error,
      error_description: `AADSTS${code}: ${message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}
