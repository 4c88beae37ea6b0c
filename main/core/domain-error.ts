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

  /** An error built elsewhere (a validation refusal with its list of issues), thrown as is. */
  static of(error: OperationError): DomainError {
    const thrown = new DomainError(error.code, error.params, error.field);
    Object.assign(thrown.error, error);
    return thrown;
  }

  get code(): ErrorCode {
    return this.error.code;
  }
}
