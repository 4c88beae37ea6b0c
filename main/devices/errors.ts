// Refusals of the device manager and service, in both languages. A device's fault or a kind of
// thing has words in each, so such parameters are given as pairs and each message gets its own
// language (through `say()`, which the contract's `makeError` splits).
import { say, type ErrorCode } from '../contract/errors.js';
import { DomainError } from '../core/domain-error.js';
import { faultOf } from '../../native/drivers/driver.js';

export interface Pair {
  ru: string;
  en: string;
}

type Param = string | number | Pair;

export function deviceError(code: ErrorCode, params: Record<string, Param> = {}, field?: string): DomainError {
  const said = Object.entries(params).map(([key, value]) => [key, typeof value === 'object' ? say(value.ru, value.en) : value]);
  return new DomainError(code, Object.fromEntries(said), field);
}

/** A failed device command (zero, tare, print) as a refusal naming the device and the fault. */
export function deviceFailed(device: string, error: unknown): DomainError {
  return deviceError('DEVICE_FAILED', { device, reason: faultOf(error).message });
}
