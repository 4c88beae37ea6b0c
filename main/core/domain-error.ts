// The one exception type services throw. The registry turns it into an error value; anything
// else thrown inside a handler is an internal error and rolls the transaction back the same way.
import { makeError, type ErrorCode, type ErrorParams, type OperationError } from '../contract/errors.js';

export class DomainError extends Error {
  readonly error: OperationError;

  constructor(code: ErrorCode, params: ErrorParams = {}, field?: string) {
    const error = makeError(code, params, field);
    super(error.message.en);
    this.name = 'DomainError';
    this.error = error;
  }

  get code(): ErrorCode {
    return this.error.code;
  }
}
