// Form pieces: a labelled field that shows the operation's error right under the input it
// belongs to, inputs for weights, dates and codes, and a banner for errors of the whole form.
import { createContext, useContext, useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import type { OperationError } from '../../../main/contract/errors';
import { parseKg } from '../format';

/** The message for `field` when the error belongs to it (or to something inside it). */
export function fieldError(error: OperationError | undefined, field: string, lang: string): string | undefined {
  if (!error) return undefined;
  const within = (f: string) => f === field || f.startsWith(`${field}.`);
  // A validation refusal lists each problem with its field (not only the first): show this field's own.
  const own = (error.issues ?? []).filter((i) => within(i.field));
  if (own.length > 0) return own.map((i) => (lang === 'en' ? i.message.en : i.message.ru)).join('; ');
  if (!error.field || !within(error.field)) return undefined;
  return lang === 'en' ? error.message.en : error.message.ru;
}

export function errorText(error: OperationError | undefined, lang: string): string | undefined {
  if (!error) return undefined;
  return lang === 'en' ? error.message.en : error.message.ru;
}

/** What the inputs inside a Field announce to screen readers: the error or hint under them. */
const FieldState = createContext<{ describedBy?: string; invalid: boolean }>({ invalid: false });

function useFieldAria() {
  const state = useContext(FieldState);
  return { 'aria-describedby': state.describedBy, 'aria-invalid': state.invalid || undefined };
}

export function Field(props: { label: string; error?: string | undefined; hint?: string; children: (id: string) => ReactNode; wide?: boolean }) {
  const id = useId();
  const describedBy = props.error ? `${id}-error` : props.hint ? `${id}-hint` : undefined;
  return (
    <div className={`field${props.error ? ' field-invalid' : ''}${props.wide ? ' field-wide' : ''}`}>
      <label htmlFor={id}>{props.label}</label>
      <FieldState.Provider value={{ describedBy, invalid: Boolean(props.error) }}>{props.children(id)}</FieldState.Provider>
      {props.error ? (
        <div className="field-error" role="alert" id={`${id}-error`}>
          {props.error}
        </div>
      ) : props.hint ? (
        <div className="field-hint" id={`${id}-hint`}>
          {props.hint}
        </div>
      ) : null}
    </div>
  );
}

/** Shows a refusal that does not belong to one field (or that no field on this form shows). */
export function ErrorBanner({ error, shownFields = [] }: { error: OperationError | undefined; shownFields?: string[] }) {
  const { i18n } = useTranslation();
  if (!error) return null;
  // Hidden only when the form shows every problem under its field.
  const fields = error.issues?.length ? error.issues.map((i) => i.field) : error.field ? [error.field] : [];
  if (fields.length > 0 && fields.every((field) => shownFields.some((f) => field === f || field.startsWith(`${f}.`)))) return null;
  return (
    <div className="banner banner-error" role="alert">
      <strong>{error.code}</strong> {errorText(error, i18n.language)}
    </div>
  );
}

export function TextInput({ id, value, onChange, ...rest }: { id: string; value: string; onChange(v: string): void } & Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'id'>) {
  return <input id={id} value={value} onChange={(e) => onChange(e.target.value)} {...useFieldAria()} {...rest} />;
}

/**
 * A weight in kilograms. Typed by hand now; a scale reading fills the same field (the devices
 * layer sets its value and marks it as read from the scale).
 */
export function KgInput({ id, value, onChange, ...rest }: { id: string; value: string; onChange(v: string): void } & Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'id'>) {
  const invalid = value !== '' && parseKg(value) === null;
  const aria = useFieldAria();
  return (
    <input
      id={id}
      className={`kg-input${invalid ? ' input-invalid' : ''}`}
      inputMode="decimal"
      autoComplete="off"
      data-weight-field="true"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      aria-describedby={aria['aria-describedby']}
      aria-invalid={invalid || aria['aria-invalid']}
      {...rest}
    />
  );
}

export function SelectInput({
  id,
  value,
  onChange,
  options,
  placeholder,
  ...rest
}: {
  id: string;
  value: string;
  onChange(v: string): void;
  options: { value: string; label: string }[];
  placeholder?: string;
} & Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange' | 'id'>) {
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value)} {...useFieldAria()} {...rest}>
      <option value="">{placeholder ?? '—'}</option>
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
}

export function Button({
  children,
  pending,
  kind = 'secondary',
  disabled,
  ...rest
}: { pending?: boolean; kind?: 'primary' | 'secondary' | 'danger' } & React.ButtonHTMLAttributes<HTMLButtonElement>) {
  const { t } = useTranslation();
  // A running operation always disables its button: no double submits.
  return (
    <button className={`btn btn-${kind}`} {...rest} disabled={pending || disabled} aria-busy={pending}>
      {pending ? t('common.working') : children}
    </button>
  );
}

/** A checkbox with its label beside it (used by the settings forms). */
export function Check(props: { label: string; checked: boolean; onChange(v: boolean): void; disabled?: boolean }) {
  const id = useId();
  return (
    <div className="set-check">
      <input id={id} type="checkbox" checked={props.checked} onChange={(e) => props.onChange(e.target.checked)} disabled={props.disabled} />
      <label htmlFor={id}>{props.label}</label>
    </div>
  );
}

export function Status({ value }: { value: string }) {
  const { t } = useTranslation();
  return <span className={`status status-${value}`}>{t(`status.${value}`, { defaultValue: value })}</span>;
}
