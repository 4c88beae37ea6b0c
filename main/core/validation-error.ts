// How a schema's refusal reads to a user: the field, both languages (zod's own ru/en locales,
// and the project's `say()` messages split by language), and every problem on its own. Used by
// the registry for operation inputs and by services that validate nested data themselves.
import { z } from 'zod';
import { inLanguage, makeError, say, type OperationError } from '../contract/errors.js';

export function validationError(schema: z.ZodType, input: unknown, error: z.ZodError): OperationError {
  const ru = schema.safeParse(input === undefined ? {} : input, { error: z.locales.ru().localeError });
  const describe = (issues: readonly z.core.$ZodIssue[], lang: 'ru' | 'en') =>
    issues
      .slice(0, 5)
      .map((i) => (i.path.length ? `${i.path.join('.')}: ${inLanguage(i.message, lang)}` : inLanguage(i.message, lang)))
      .join('; ');
  const en = describe(error.issues, 'en');
  // An unknown key is reported on the object that holds it; the field to name is the key itself.
  const fieldOf = (issue: z.core.$ZodIssue) =>
    (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [...issue.path, issue.keys[0]] : issue.path).join('.');
  const first = error.issues[0];
  const field = first ? fieldOf(first) : '';
  const ruIssues = ru.success ? error.issues : ru.error.issues;
  const result = makeError('VALIDATION', { details: say(describe(ruIssues, 'ru'), en) }, field || undefined);
  result.issues = error.issues.slice(0, 20).map((issue, i) => ({
    field: fieldOf(issue),
    message: { ru: inLanguage(ruIssues[i]?.message ?? issue.message, 'ru'), en: inLanguage(issue.message, 'en') },
  }));
  return result;
}
