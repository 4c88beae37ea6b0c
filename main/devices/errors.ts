// Refusals of the device manager and service, in both languages. The contract's messages take
// one set of parameters for both languages; a device's fault or a kind of thing has words in
// each, so such parameters are given as pairs and each message gets its own language.
import { makeError, type ErrorCode } from '../contract/errors.js';
import { DomainError } from '../core/domain-error.js';
import { faultOf } from '../../native/drivers/driver.js';

export interface Pair {
  ru: string;
  en: string;
}

type Param = string | number | Pair;

function inOne(params: Record<string, Param>, lang: 'ru' | 'en'): Record<string, string | number> {
  return Object.fromEntries(Object.entries(params).map(([key, value]) => [key, typeof value === 'object' ? value[lang] : value]));
}

export function deviceError(code: ErrorCode, params: Record<string, Param> = {}, field?: string): DomainError {
  const error = new DomainError(code, inOne(params, 'en'), field);
  error.error.message.ru = makeError(code, inOne(params, 'ru')).message.ru;
  return error;
}

/** A failed device command (zero, tare, print) as a refusal naming the device and the fault. */
export function deviceFailed(device: string, error: unknown): DomainError {
  return deviceError('DEVICE_FAILED', { device, reason: faultOf(error).message });
}
