/**
 * Errors shaped like GitHub's: `{message, documentation_url, status}` plus `errors` for 422
 * validation failures. Thrown from state operations and route handlers alike, so a seeding call
 * fails for the same reason (and with the same message) the REST call would.
 */
export const DOCS = 'https://docs.github.com/rest';

export interface ValidationErrorItem {
  value?: unknown;
  resource?: string;
  field?: string;
  code: string;
  message?: string;
}

export class HttpError extends Error {
  readonly status: number;
  readonly documentationUrl: string;
  readonly errors: Array<ValidationErrorItem | string> | undefined;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    message: string,
    opts: { documentationUrl?: string; errors?: Array<ValidationErrorItem | string>; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.status = status;
    this.documentationUrl = opts.documentationUrl ?? DOCS;
    this.errors = opts.errors;
    this.headers = opts.headers ?? {};
  }

  body(): Record<string, unknown> {
    const body: Record<string, unknown> = { message: this.message, documentation_url: this.documentationUrl };
    if (this.errors) body.errors = this.errors;
    // GitHub now echoes the status as a string in error bodies.
    body.status = String(this.status);
    return body;
  }
}

export const notFound = (): HttpError => new HttpError(404, 'Not Found');

export const validationFailed = (...errors: Array<ValidationErrorItem | string>): HttpError => new HttpError(422, 'Validation Failed', { errors });
