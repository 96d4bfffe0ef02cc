// AndOpenError: a real Error subclass (instanceof, name, stack), built by the Rust layer.
// It lives in JS because a Rust type cannot extend Error.
export class AndOpenError extends Error {
  constructor(code, message, status, retryable, oauthError, description, retryAfterSeconds) {
    super(message);
    this.name = "AndOpenError";
    this.code = code;
    this.status = status;
    this.retryable = retryable;
    this.oauthError = oauthError;
    this.description = description;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export function andOpenErrorClass() {
  return AndOpenError;
}
