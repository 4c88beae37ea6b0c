// «Настройки»: users and roles, and the reference data every other screen picks from — sites,
// products, partners, storage locations, equipment. Each reference tab is a table plus an
// edit/create form saved with the *.upsert operation (upsert by code); refusals appear next to
// the field they belong to. Tabs are shown by permission. The devices of this PC have their own
// tab (Devices.tsx).
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { OperationError } from '../../../main/contract/errors';
import type { OperationName, OperationOutput } from '../../../main/contract/operations';
import { ROLE_NAMES, ROLES, type Permission, type Role } from '../../../main/contract/roles';
import { useMutation, useQuery } from '../api/hooks';
import { useSession } from '../app/App';
import { DataTable, type Column } from '../components/DataTable';
import { Button, Check, ErrorBanner, Field, fieldError, KgInput, SelectInput, TextInput } from '../components/forms';
import { kg, parseKg } from '../format';
import { DevicesTab } from './Devices';

type TabId = 'users' | 'sites' | 'products' | 'partners' | 'locations' | 'equipment' | 'devices';
const TABS: { id: TabId; permission: Permission }[] = [
  { id: 'users', permission: 'users.manage' },
  { id: 'sites', permission: 'reference.write' },
  { id: 'products', permission: 'reference.write' },
  { id: 'partners', permission: 'reference.write' },
  { id: 'locations', permission: 'reference.write' },
  { id: 'equipment', permission: 'reference.write' },
  { id: 'devices', permission: 'devices.manage' },
];

type UserRowView = OperationOutput<'users.list'>['rows'][number];
type SiteRow = OperationOutput<'sites.list'>['rows'][number];
type ProductRow = OperationOutput<'products.list'>['rows'][number];
type PartnerRow = OperationOutput<'partners.list'>['rows'][number];
type LocationRow = OperationOutput<'locations.list'>['rows'][number];
type EquipmentRow = OperationOutput<'equipment.list'>['rows'][number];
type UpsertOp = 'sites.upsert' | 'products.upsert' | 'partners.upsert' | 'locations.upsert' | 'equipment.upsert';

export function SettingsScreen() {
  const { t } = useTranslation();
  const { can, param, navigate } = useSession();
  const visible = TABS.filter((tab) => can(tab.permission));
  const current = visible.find((tab) => tab.id === param) ?? visible[0];
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});

  const onKey = (event: KeyboardEvent) => {
    if (!current) return;
    const at = visible.findIndex((tab) => tab.id === current.id);
    let next: number | undefined;
    if (event.key === 'ArrowRight') next = (at + 1) % visible.length;
    else if (event.key === 'ArrowLeft') next = (at - 1 + visible.length) % visible.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = visible.length - 1;
    if (next === undefined) return;
    event.preventDefault();
    const tab = visible[next]!;
    navigate('settings', tab.id);
    refs.current[tab.id]?.focus();
  };

  return (
    <>
      <h1>{t('nav.settings')}</h1>
      <div className="tabs" role="tablist" aria-label={t('settings.sections')} onKeyDown={onKey}>
        {visible.map((tab) => (
          <button
            key={tab.id}
            ref={(el) => {
              refs.current[tab.id] = el;
            }}
            role="tab"
            id={`settings-tab-${tab.id}`}
            aria-selected={tab.id === current?.id}
            aria-controls={`settings-panel-${tab.id}`}
            tabIndex={tab.id === current?.id ? 0 : -1}
            onClick={() => navigate('settings', tab.id)}
          >
            {t(`settings.tabs.${tab.id}`)}
          </button>
        ))}
      </div>
      {current && (
        <div role="tabpanel" id={`settings-panel-${current.id}`} aria-labelledby={`settings-tab-${current.id}`} className="set-panel">
          {current.id === 'users' && <UsersTab />}
          {current.id === 'sites' && <SitesTab />}
          {current.id === 'products' && <ProductsTab />}
          {current.id === 'partners' && <PartnersTab />}
          {current.id === 'locations' && <LocationsTab />}
          {current.id === 'equipment' && <EquipmentTab />}
          {current.id === 'devices' && <DevicesTab />}
        </div>
      )}
    </>
  );
}

// ── small form pieces ───────────────────────────────────────────────────────────────────────

function TextArea({ id, value, onChange, rows = 2, maxLength }: { id: string; value: string; onChange(v: string): void; rows?: number; maxLength?: number }) {
  return <textarea id={id} value={value} onChange={(e) => onChange(e.target.value)} rows={rows} maxLength={maxLength} />;
}

/** A name in a table, marked when the record is switched off. */
function NameCell({ name, active }: { name: string; active: 0 | 1 }) {
  const { t } = useTranslation();
  return active ? (
    <>{name}</>
  ) : (
    <span className="set-no">
      {name} <span className="set-off">({t('settings.inactive')})</span>
    </span>
  );
}

/** Text → optional text for the contract: blank is null. */
const opt = (v: string): string | null => (v.trim() === '' ? null : v.trim());
/** A typed number (comma or dot) → number; blank → null; anything else is sent as typed so the contract refuses it next to its field. */
function optNum(v: string): number | string | null {
  const s = v.trim().replace(',', '.').replace('−', '-');
  if (s === '') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : v;
}
const numText = (n: number | null): string => (n === null ? '' : String(n));
const kgText = (g: number | null): string => (g === null ? '' : String(g / 1000));

// ── the reference editor: table + form, upsert by code ─────────────────────────────────────

type Setter<F> = <K extends keyof F>(key: K) => (value: F[K]) => void;

interface EditorProps<R extends { id: string; code: string }, F extends { code: string }> {
  entity: 'sites' | 'products' | 'partners' | 'locations' | 'equipment';
  op: UpsertOp;
  rows: readonly R[] | undefined;
  error: OperationError | undefined;
  columns: Column<R>[];
  blank(): F;
  fromRow(row: R): F;
  toInput(form: F): Record<string, unknown>;
  /** The contract fields the form shows (errors on any other go to the banner). */
  fields: string[];
  render(form: F, set: Setter<F>, err: (field: string) => string | undefined, editing: boolean): ReactNode;
  filter?: ReactNode;
  note?: string;
}

function ReferenceEditor<R extends { id: string; code: string }, F extends { code: string }>(props: EditorProps<R, F>) {
  const { t, i18n } = useTranslation();
  const upsert = useMutation(props.op as OperationName);
  const [editing, setEditing] = useState<string | null>(null);
  const [form, setForm] = useState<F>(props.blank);
  const [saved, setSaved] = useState<string>();
  const formRef = useRef<HTMLFormElement>(null);
  const set: Setter<F> = (key) => (value) => {
    setForm((f) => ({ ...f, [key]: value }));
    setSaved(undefined);
  };
  const err = (field: string) => fieldError(upsert.error, field, i18n.language);

  const focusForm = () =>
    setTimeout(() => formRef.current?.querySelector<HTMLElement>('input:not([readonly]):not([disabled]), select:not([disabled]), textarea')?.focus(), 0);
  const open = (row: R) => {
    setEditing(row.code);
    setForm(props.fromRow(row));
    setSaved(undefined);
    upsert.clear();
    focusForm();
  };
  const create = () => {
    setEditing(null);
    setForm(props.blank());
    setSaved(undefined);
    upsert.clear();
    focusForm();
  };
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setSaved(undefined);
    const result = (await upsert.run(props.toInput(form))) as { code: string } | undefined;
    if (result) {
      setEditing(result.code);
      setForm((f) => ({ ...f, code: result.code }));
      setSaved(result.code);
    }
  };

  return (
    <div className="set-split">
      <div className="set-list">
        <div className="toolbar">
          {props.filter}
          <Button kind="primary" onClick={create}>
            {t(`settings.${props.entity}.new`)}
          </Button>
        </div>
        <ErrorBanner error={props.error} />
        <DataTable
          columns={props.columns}
          rows={props.rows ?? []}
          rowKey={(r) => r.id}
          label={t(`settings.${props.entity}.list`)}
          onActivate={open}
          height={460}
          testId={`${props.entity}-table`}
        />
        {props.note && <div className="field-hint">{props.note}</div>}
      </div>
      <form className="card set-form" onSubmit={submit} ref={formRef} aria-labelledby={`${props.entity}-form-title`}>
        <h2 id={`${props.entity}-form-title`}>{editing ? t(`settings.${props.entity}.edit`, { code: editing }) : t(`settings.${props.entity}.new`)}</h2>
        {props.render(form, set, err, editing !== null)}
        <ErrorBanner error={upsert.error} shownFields={props.fields} />
        {saved && (
          <div className="banner banner-ok" role="status">
            {t('settings.savedCode', { code: saved })}
          </div>
        )}
        <div className="actions">
          {editing !== null && (
            <Button type="button" onClick={create}>
              {t('settings.clear')}
            </Button>
          )}
          <Button kind="primary" type="submit" pending={upsert.pending}>
            {t('common.save')}
          </Button>
        </div>
      </form>
    </div>
  );
}

function CodeField({ value, onChange, error, editing, hint, upper }: { value: string; onChange(v: string): void; error: string | undefined; editing: boolean; hint?: string; upper?: boolean }) {
  const { t } = useTranslation();
  return (
    <Field label={t('settings.code')} error={error} hint={editing ? t('settings.codeLocked') : hint}>
      {(id) => <TextInput id={id} value={value} onChange={(v) => onChange(upper ? v.toUpperCase() : v)} readOnly={editing} required maxLength={40} autoComplete="off" />}
    </Field>
  );
}

function ActiveCheck({ value, onChange }: { value: boolean; onChange(v: boolean): void }) {
  const { t } = useTranslation();
  return <Check label={t('settings.active')} checked={value} onChange={onChange} />;
}

// ── users ───────────────────────────────────────────────────────────────────────────────────

function RoleChecks({ roles, onChange, error }: { roles: Role[]; onChange(roles: Role[]): void; error: string | undefined }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language === 'en' ? 'en' : 'ru';
  return (
    <fieldset className={`set-fieldset${error ? ' field-invalid' : ''}`}>
      <legend>{t('settings.users.roles')}</legend>
      <div className="set-check-grid">
        {ROLES.map((role) => (
          <Check
            key={role}
            label={ROLE_NAMES[role][lang]}
            checked={roles.includes(role)}
            onChange={(on) => onChange(on ? [...roles, role] : roles.filter((r) => r !== role))}
          />
        ))}
      </div>
      {error && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
    </fieldset>
  );
}

function UsersTab() {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const lang = i18n.language === 'en' ? 'en' : 'ru';
  const users = useQuery('users.list', {});
  const sites = useQuery('sites.list', {});
  const [selected, setSelected] = useState<string | null>(null);
  const siteCode = useMemo(() => new Map((sites.data?.rows ?? []).map((s) => [s.id, s.code])), [sites.data]);
  const user = users.data?.rows.find((u) => u.username === selected);

  const columns: Column<UserRowView>[] = [
    { key: 'username', header: t('settings.users.username'), width: '10rem', render: (u) => u.username },
    { key: 'name', header: t('settings.users.displayName'), width: '1fr', render: (u) => u.display_name },
    { key: 'roles', header: t('settings.users.roles'), width: '1.3fr', render: (u) => u.roles.map((r) => ROLE_NAMES[r][lang]).join(', ') },
    { key: 'site', header: t('settings.users.site'), width: '5rem', render: (u) => siteCode.get(u.site_id) ?? '—' },
    {
      key: 'active',
      header: t('settings.users.state'),
      width: '7rem',
      render: (u) => <span className={u.active ? 'set-yes' : 'set-no'}>{u.active ? t('settings.users.enabled') : t('settings.users.disabled')}</span>,
    },
  ];

  return (
    <div className="set-split">
      <div className="set-list">
        <div className="toolbar">
          <Button kind="primary" onClick={() => setSelected(null)}>
            {t('settings.users.new')}
          </Button>
        </div>
        <ErrorBanner error={users.error} />
        <DataTable columns={columns} rows={users.data?.rows ?? []} rowKey={(u) => u.id} label={t('settings.users.list')} onActivate={(u) => setSelected(u.username)} height={460} testId="users-table" />
      </div>
      {user ? (
        <EditUser key={user.id} user={user} self={user.id === me.user.id} onClose={() => setSelected(null)} />
      ) : (
        <NewUser sites={sites.data?.rows ?? []} homeSite={me.site.code} onCreated={(u) => setSelected(u)} />
      )}
    </div>
  );
}

function NewUser({ sites, homeSite, onCreated }: { sites: SiteRow[]; homeSite: string; onCreated(username: string): void }) {
  const { t, i18n } = useTranslation();
  const create = useMutation('users.create');
  const [form, setForm] = useState({ username: '', display_name: '', password: '', repeat: '', site: homeSite });
  const [roles, setRoles] = useState<Role[]>([]);
  const set = (key: keyof typeof form) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  const err = (f: string) => fieldError(create.error, f, i18n.language);
  const mismatch = form.repeat !== '' && form.password !== form.repeat;
  const [noRoles, setNoRoles] = useState(false);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (form.password !== form.repeat) return;
    if (roles.length === 0) return setNoRoles(true);
    const result = await create.run({ username: form.username.trim(), display_name: form.display_name, password: form.password, roles, site: form.site || undefined });
    if (result) onCreated(result.username);
  };

  return (
    <form className="card set-form" onSubmit={submit} aria-labelledby="user-new-title">
      <h2 id="user-new-title">{t('settings.users.new')}</h2>
      <div className="grid-2">
        <Field label={t('settings.users.username')} error={err('username')} hint={t('settings.users.usernameHint')}>
          {(id) => <TextInput id={id} value={form.username} onChange={set('username')} required autoComplete="off" />}
        </Field>
        <Field label={t('settings.users.displayName')} error={err('display_name')}>
          {(id) => <TextInput id={id} value={form.display_name} onChange={set('display_name')} required autoComplete="off" />}
        </Field>
        <Field label={t('settings.users.password')} error={err('password')} hint={t('settings.users.passwordHint')}>
          {(id) => <TextInput id={id} type="password" value={form.password} onChange={set('password')} required autoComplete="new-password" />}
        </Field>
        <Field label={t('settings.users.passwordRepeat')} error={mismatch ? t('settings.users.passwordsDiffer') : undefined}>
          {(id) => <TextInput id={id} type="password" value={form.repeat} onChange={set('repeat')} required autoComplete="new-password" />}
        </Field>
        <Field label={t('settings.users.site')} error={err('site')}>
          {(id) => <SelectInput id={id} value={form.site} onChange={set('site')} options={sites.map((s) => ({ value: s.code, label: `${s.code} — ${i18n.language === 'en' ? s.name_en : s.name_ru}` }))} />}
        </Field>
      </div>
      <RoleChecks
        roles={roles}
        onChange={(next) => {
          setRoles(next);
          setNoRoles(false);
        }}
        error={err('roles') ?? (noRoles ? t('settings.users.chooseRole') : undefined)}
      />
      <ErrorBanner error={create.error} shownFields={['username', 'display_name', 'password', 'roles', 'site']} />
      <div className="actions">
        <Button kind="primary" type="submit" pending={create.pending} disabled={mismatch}>
          {t('settings.users.create')}
        </Button>
      </div>
    </form>
  );
}

function EditUser({ user, self, onClose }: { user: UserRowView; self: boolean; onClose(): void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const update = useMutation('users.update');
  const toggle = useMutation('users.update');
  const reset = useMutation('users.update');
  const [name, setName] = useState(user.display_name);
  const [roles, setRoles] = useState<Role[]>(user.roles);
  const [password, setPassword] = useState('');
  const [done, setDone] = useState<string>();
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    formRef.current?.querySelector<HTMLElement>('input:not([readonly])')?.focus();
  }, []);

  const save = async (event: React.FormEvent) => {
    event.preventDefault();
    setDone(undefined);
    if (await update.run({ username: user.username, display_name: name, roles })) setDone(t('common.saved'));
  };
  const setActive = async () => {
    setDone(undefined);
    const next = user.active ? 0 : 1;
    if (await toggle.run({ username: user.username, active: next })) setDone(next ? t('settings.users.enabledDone') : t('settings.users.disabledDone'));
  };
  const resetPassword = async (event: React.FormEvent) => {
    event.preventDefault();
    setDone(undefined);
    if (await reset.run({ username: user.username, password })) {
      setPassword('');
      setDone(t('settings.users.passwordDone'));
    }
  };

  return (
    <div className="card set-form">
      <form onSubmit={save} ref={formRef} aria-labelledby="user-edit-title">
        <h2 id="user-edit-title">{t('settings.users.edit', { username: user.username })}</h2>
        <div className="grid-2">
          <Field label={t('settings.users.username')}>{(id) => <TextInput id={id} value={user.username} onChange={() => undefined} readOnly />}</Field>
          <Field label={t('settings.users.displayName')} error={fieldError(update.error, 'display_name', lang)}>
            {(id) => <TextInput id={id} value={name} onChange={setName} required autoComplete="off" />}
          </Field>
        </div>
        <RoleChecks roles={roles} onChange={setRoles} error={fieldError(update.error, 'roles', lang) ?? (roles.length === 0 ? t('settings.users.chooseRole') : undefined)} />
        <ErrorBanner error={update.error} shownFields={['display_name', 'roles']} />
        <div className="actions">
          <Button type="button" onClick={onClose}>
            {t('common.close')}
          </Button>
          <Button kind="primary" type="submit" pending={update.pending} disabled={roles.length === 0}>
            {t('common.save')}
          </Button>
        </div>
      </form>

      <div className="set-subsection">
        <h3>{t('settings.users.access')}</h3>
        <p className="muted">{user.active ? t('settings.users.activeNow') : t('settings.users.inactiveNow')}</p>
        {self && user.active === 1 && <p className="field-hint">{t('settings.users.selfHint')}</p>}
        <Button kind={user.active ? 'danger' : 'primary'} onClick={setActive} pending={toggle.pending}>
          {user.active ? t('settings.users.disable') : t('settings.users.enable')}
        </Button>
        {toggle.error && (
          <div className="banner banner-error" role="alert">
            {lang === 'en' ? toggle.error.message.en : toggle.error.message.ru}
          </div>
        )}
      </div>

      <form className="set-subsection" onSubmit={resetPassword} aria-labelledby="user-reset-title">
        <h3 id="user-reset-title">{t('settings.users.resetPassword')}</h3>
        <Field label={t('settings.users.newPassword')} error={fieldError(reset.error, 'password', lang)} hint={t('settings.users.resetHint')}>
          {(id) => <TextInput id={id} type="password" value={password} onChange={setPassword} required autoComplete="new-password" />}
        </Field>
        <ErrorBanner error={reset.error} shownFields={['password']} />
        <div className="actions">
          <Button type="submit" pending={reset.pending}>
            {t('settings.users.resetButton')}
          </Button>
        </div>
      </form>
      {done && (
        <div className="banner banner-ok" role="status">
          {done}
        </div>
      )}
    </div>
  );
}

// ── sites ───────────────────────────────────────────────────────────────────────────────────

interface SiteForm {
  code: string;
  name_ru: string;
  name_en: string;
  name_zh: string;
  address_ru: string;
  address_en: string;
  address_zh: string;
  country: string;
  region: string;
  china_reg_no: string;
  vet_approval_no: string;
  phone: string;
  active: boolean;
}

function SitesTab() {
  const { t, i18n } = useTranslation();
  const list = useQuery('sites.list', {});
  const en = i18n.language === 'en';
  const columns: Column<SiteRow>[] = [
    { key: 'code', header: t('settings.code'), width: '4.5rem', render: (r) => r.code },
    { key: 'name', header: t('settings.name'), width: '1fr', render: (r) => <NameCell name={en ? r.name_en : r.name_ru} active={r.active} /> },
    { key: 'china', header: t('settings.sites.chinaShort'), width: '9rem', render: (r) => r.china_reg_no ?? '—' },
    { key: 'vet', header: t('settings.sites.vetShort'), width: '6rem', render: (r) => r.vet_approval_no ?? '—' },
  ];
  return (
    <ReferenceEditor<SiteRow, SiteForm>
      entity="sites"
      op="sites.upsert"
      rows={list.data?.rows}
      error={list.error}
      columns={columns}
      blank={() => ({ code: '', name_ru: '', name_en: '', name_zh: '', address_ru: '', address_en: '', address_zh: '', country: 'RU', region: '', china_reg_no: '', vet_approval_no: '', phone: '', active: true })}
      fromRow={(r) => ({
        code: r.code,
        name_ru: r.name_ru,
        name_en: r.name_en,
        name_zh: r.name_zh ?? '',
        address_ru: r.address_ru ?? '',
        address_en: r.address_en ?? '',
        address_zh: r.address_zh ?? '',
        country: r.country,
        region: r.region ?? '',
        china_reg_no: r.china_reg_no ?? '',
        vet_approval_no: r.vet_approval_no ?? '',
        phone: r.phone ?? '',
        active: r.active === 1,
      })}
      toInput={(f) => ({
        code: f.code.trim(),
        name_ru: f.name_ru,
        name_en: f.name_en,
        name_zh: opt(f.name_zh),
        address_ru: opt(f.address_ru),
        address_en: opt(f.address_en),
        address_zh: opt(f.address_zh),
        country: f.country.trim().toUpperCase(),
        region: opt(f.region),
        china_reg_no: opt(f.china_reg_no),
        vet_approval_no: opt(f.vet_approval_no),
        phone: opt(f.phone),
        active: f.active ? 1 : 0,
      })}
      fields={['code', 'name_ru', 'name_en', 'name_zh', 'address_ru', 'address_en', 'address_zh', 'country', 'region', 'china_reg_no', 'vet_approval_no', 'phone', 'active']}
      render={(f, set, err, editing) => (
        <>
          <div className="grid-2">
            <CodeField value={f.code} onChange={set('code')} error={err('code')} editing={editing} hint={t('settings.sites.codeHint')} upper />
            <Field label={t('settings.country')} error={err('country')} hint={t('settings.countryHint')}>
              {(id) => <TextInput id={id} value={f.country} onChange={set('country')} maxLength={2} required />}
            </Field>
          </div>
          <NamesFields f={f} set={set} err={err} requireEn />
          <AddressFields f={f} set={set} err={err} />
          <div className="grid-2">
            <Field label={t('settings.sites.region')} error={err('region')}>
              {(id) => <TextInput id={id} value={f.region} onChange={set('region')} />}
            </Field>
            <Field label={t('settings.sites.phone')} error={err('phone')}>
              {(id) => <TextInput id={id} value={f.phone} onChange={set('phone')} />}
            </Field>
            <Field label={t('settings.sites.chinaRegNo')} error={err('china_reg_no')}>
              {(id) => <TextInput id={id} value={f.china_reg_no} onChange={set('china_reg_no')} />}
            </Field>
            <Field label={t('settings.sites.vetApprovalNo')} error={err('vet_approval_no')}>
              {(id) => <TextInput id={id} value={f.vet_approval_no} onChange={set('vet_approval_no')} />}
            </Field>
          </div>
          <ActiveCheck value={f.active} onChange={set('active')} />
        </>
      )}
    />
  );
}

/** Names in the three languages: Russian for the UI, English and Chinese for documents and labels. */
function NamesFields<F extends { name_ru: string; name_en: string; name_zh: string }>({ f, set, err, requireEn }: { f: F; set: Setter<F>; err(field: string): string | undefined; requireEn?: boolean }) {
  const { t } = useTranslation();
  return (
    <div className="set-names">
      <Field label={t('settings.nameRu')} error={err('name_ru')}>
        {(id) => <TextInput id={id} value={f.name_ru} onChange={set('name_ru') as (v: string) => void} required />}
      </Field>
      <Field label={t('settings.nameEn')} error={err('name_en')}>
        {(id) => <TextInput id={id} value={f.name_en} onChange={set('name_en') as (v: string) => void} required={requireEn} />}
      </Field>
      <Field label={t('settings.nameZh')} error={err('name_zh')}>
        {(id) => <TextInput id={id} value={f.name_zh} onChange={set('name_zh') as (v: string) => void} lang="zh" />}
      </Field>
    </div>
  );
}

function AddressFields<F extends { address_ru: string; address_en: string; address_zh: string }>({ f, set, err }: { f: F; set: Setter<F>; err(field: string): string | undefined }) {
  const { t } = useTranslation();
  return (
    <div className="set-names">
      <Field label={t('settings.addressRu')} error={err('address_ru')}>
        {(id) => <TextArea id={id} value={f.address_ru} onChange={set('address_ru') as (v: string) => void} maxLength={500} />}
      </Field>
      <Field label={t('settings.addressEn')} error={err('address_en')}>
        {(id) => <TextArea id={id} value={f.address_en} onChange={set('address_en') as (v: string) => void} maxLength={500} />}
      </Field>
      <Field label={t('settings.addressZh')} error={err('address_zh')}>
        {(id) => <TextArea id={id} value={f.address_zh} onChange={set('address_zh') as (v: string) => void} maxLength={500} />}
      </Field>
    </div>
  );
}

// ── products ────────────────────────────────────────────────────────────────────────────────

interface ProductForm {
  code: string;
  kind: string;
  name_ru: string;
  name_en: string;
  name_zh: string;
  latin_name: string;
  species_code: string;
  production_method: string;
  gtin: string;
  hs_code: string;
  shelf_life_days: string;
  restarts_shelf_life: boolean;
  storage_temp_min: string;
  storage_temp_max: string;
  catch_weight: boolean;
  unit: string;
  nominal_net: string;
  active: boolean;
}

function tempRange(min: number | null, max: number | null, lang: string): string {
  if (min === null && max === null) return '—';
  // A decimal comma in Russian ("3,3"), as the numbers are typed into the form.
  const f = (v: number | null) => (v === null ? '…' : v.toLocaleString(lang === 'en' ? 'en-GB' : 'ru-RU', { maximumFractionDigits: 2 }).replace('-', '−'));
  return `${f(min)} … ${f(max)} °C`;
}

function ProductsTab() {
  const { t, i18n } = useTranslation();
  const [kind, setKind] = useState('');
  const list = useQuery('products.list', { include_inactive: true, ...(kind ? { kind } : {}) });
  const en = i18n.language === 'en';
  const kinds = (['raw', 'semi', 'finished'] as const).map((k) => ({ value: k, label: t(`settings.products.kinds.${k}`) }));
  const columns: Column<ProductRow>[] = [
    { key: 'code', header: t('settings.code'), width: '8.5rem', render: (r) => r.code },
    { key: 'name', header: t('settings.name'), width: 'minmax(8rem, 1fr)', render: (r) => <NameCell name={en ? r.name_en : r.name_ru} active={r.active} /> },
    { key: 'kind', header: t('settings.products.kind'), width: '5rem', render: (r) => t(`settings.products.kindsShort.${r.kind}`) },
    { key: 'gtin', header: 'GTIN', width: '9.6rem', render: (r) => r.gtin ?? '—' },
    { key: 'shelf', header: t('settings.products.shelfShort'), width: '3.5rem', align: 'right', render: (r) => r.shelf_life_days },
    { key: 'temp', header: t('settings.products.storageShort'), width: '8rem', render: (r) => tempRange(r.storage_temp_min, r.storage_temp_max, i18n.language) },
  ];
  const filter = (
    <Field label={t('settings.products.kind')}>
      {(id) => <SelectInput id={id} value={kind} onChange={setKind} placeholder={t('settings.all')} options={kinds} />}
    </Field>
  );
  return (
    <ReferenceEditor<ProductRow, ProductForm>
      entity="products"
      op="products.upsert"
      rows={list.data?.rows}
      error={list.error}
      columns={columns}
      filter={filter}
      blank={() => ({
        code: '',
        kind: 'finished',
        name_ru: '',
        name_en: '',
        name_zh: '',
        latin_name: '',
        species_code: '',
        production_method: '',
        gtin: '',
        hs_code: '',
        shelf_life_days: '',
        restarts_shelf_life: false,
        storage_temp_min: '',
        storage_temp_max: '',
        catch_weight: true,
        unit: 'kg',
        nominal_net: '',
        active: true,
      })}
      fromRow={(r) => ({
        code: r.code,
        kind: r.kind,
        name_ru: r.name_ru,
        name_en: r.name_en,
        name_zh: r.name_zh ?? '',
        latin_name: r.latin_name ?? '',
        species_code: r.species_code ?? '',
        production_method: r.production_method ?? '',
        gtin: r.gtin ?? '',
        hs_code: r.hs_code ?? '',
        shelf_life_days: String(r.shelf_life_days),
        restarts_shelf_life: r.restarts_shelf_life === 1,
        storage_temp_min: numText(r.storage_temp_min),
        storage_temp_max: numText(r.storage_temp_max),
        catch_weight: r.catch_weight === 1,
        unit: r.unit,
        nominal_net: kgText(r.nominal_net_g),
        active: r.active === 1,
      })}
      toInput={(f) => ({
        code: f.code.trim(),
        kind: f.kind,
        name_ru: f.name_ru,
        name_en: f.name_en,
        name_zh: opt(f.name_zh),
        latin_name: opt(f.latin_name),
        species_code: opt(f.species_code.toUpperCase()),
        production_method: f.production_method || null,
        gtin: opt(f.gtin),
        hs_code: opt(f.hs_code),
        shelf_life_days: optNum(f.shelf_life_days) ?? 0,
        restarts_shelf_life: f.restarts_shelf_life ? 1 : 0,
        storage_temp_min: optNum(f.storage_temp_min),
        storage_temp_max: optNum(f.storage_temp_max),
        catch_weight: f.catch_weight ? 1 : 0,
        unit: f.unit,
        nominal_net_g: f.nominal_net.trim() === '' ? null : (parseKg(f.nominal_net) ?? f.nominal_net),
        active: f.active ? 1 : 0,
      })}
      fields={[
        'code',
        'kind',
        'name_ru',
        'name_en',
        'name_zh',
        'latin_name',
        'species_code',
        'production_method',
        'gtin',
        'hs_code',
        'shelf_life_days',
        'restarts_shelf_life',
        'storage_temp_min',
        'storage_temp_max',
        'catch_weight',
        'unit',
        'nominal_net_g',
        'active',
      ]}
      render={(f, set, err, editing) => (
        <>
          <div className="grid-3">
            <CodeField value={f.code} onChange={set('code')} error={err('code')} editing={editing} hint={t('settings.codeHint')} upper />
            <Field label={t('settings.products.kind')} error={err('kind')}>
              {(id) => <SelectInput id={id} value={f.kind} onChange={set('kind')} options={kinds} required />}
            </Field>
            <Field label={t('settings.products.unit')} error={err('unit')}>
              {(id) => (
                <SelectInput
                  id={id}
                  value={f.unit}
                  onChange={set('unit')}
                  options={[
                    { value: 'kg', label: t('settings.products.units.kg') },
                    { value: 'pcs', label: t('settings.products.units.pcs') },
                  ]}
                  required
                />
              )}
            </Field>
          </div>
          <NamesFields f={f} set={set} err={err} requireEn />
          <div className="grid-3">
            <Field label={t('settings.products.latinName')} error={err('latin_name')} hint="Coregonus migratorius">
              {(id) => <TextInput id={id} value={f.latin_name} onChange={set('latin_name')} className="set-latin" />}
            </Field>
            <Field label={t('settings.products.speciesCode')} error={err('species_code')} hint={t('settings.products.speciesHint')}>
              {(id) => <TextInput id={id} value={f.species_code} onChange={(v) => set('species_code')(v.toUpperCase())} maxLength={3} />}
            </Field>
            <Field label={t('settings.products.method')} error={err('production_method')}>
              {(id) => (
                <SelectInput
                  id={id}
                  value={f.production_method}
                  onChange={set('production_method')}
                  options={[
                    { value: 'wild', label: t('settings.products.methods.wild') },
                    { value: 'farmed', label: t('settings.products.methods.farmed') },
                  ]}
                />
              )}
            </Field>
            <Field label="GTIN" error={err('gtin')} hint={t('settings.products.gtinHint')}>
              {(id) => <TextInput id={id} value={f.gtin} onChange={(v) => set('gtin')(v.replace(/\s/g, ''))} inputMode="numeric" maxLength={14} autoComplete="off" />}
            </Field>
            <Field label={t('settings.products.hsCode')} error={err('hs_code')} hint={t('settings.products.hsHint')}>
              {(id) => <TextInput id={id} value={f.hs_code} onChange={(v) => set('hs_code')(v.replace(/\s/g, ''))} inputMode="numeric" maxLength={10} />}
            </Field>
            <Field label={t('settings.products.shelfLife')} error={err('shelf_life_days')}>
              {(id) => <TextInput id={id} value={f.shelf_life_days} onChange={set('shelf_life_days')} inputMode="numeric" required />}
            </Field>
            <Field label={t('settings.products.tempMin')} error={err('storage_temp_min')}>
              {(id) => <TextInput id={id} value={f.storage_temp_min} onChange={set('storage_temp_min')} inputMode="decimal" />}
            </Field>
            <Field label={t('settings.products.tempMax')} error={err('storage_temp_max')}>
              {(id) => <TextInput id={id} value={f.storage_temp_max} onChange={set('storage_temp_max')} inputMode="decimal" />}
            </Field>
            <Field label={t('settings.products.nominalNet')} error={err('nominal_net_g')} hint={t('settings.products.nominalHint')}>
              {(id) => <KgInput id={id} value={f.nominal_net} onChange={set('nominal_net')} />}
            </Field>
          </div>
          <div className="set-check-row">
            <Check label={t('settings.products.catchWeight')} checked={f.catch_weight} onChange={set('catch_weight')} />
            <Check label={t('settings.products.restartsShelfLife')} checked={f.restarts_shelf_life} onChange={set('restarts_shelf_life')} />
            <ActiveCheck value={f.active} onChange={set('active')} />
          </div>
          <div className="field-hint">{t('settings.products.restartsHint')}</div>
        </>
      )}
    />
  );
}

// ── partners ────────────────────────────────────────────────────────────────────────────────

interface PartnerForm {
  code: string;
  is_supplier: boolean;
  is_customer: boolean;
  is_consignee: boolean;
  name_ru: string;
  name_en: string;
  name_zh: string;
  address_ru: string;
  address_en: string;
  address_zh: string;
  country: string;
  tax_id: string;
  contact: string;
  active: boolean;
}

function PartnersTab() {
  const { t, i18n } = useTranslation();
  const [role, setRole] = useState('');
  const list = useQuery('partners.list', role ? { role } : {});
  const en = i18n.language === 'en';
  const roles = (r: PartnerRow) =>
    [r.is_supplier && t('settings.partners.supplier'), r.is_customer && t('settings.partners.customer'), r.is_consignee && t('settings.partners.consignee')].filter(Boolean).join(', ') || '—';
  const columns: Column<PartnerRow>[] = [
    { key: 'code', header: t('settings.code'), width: '8.5rem', render: (r) => r.code },
    { key: 'name', header: t('settings.name'), width: '1fr', render: (r) => <NameCell name={en ? (r.name_en ?? r.name_ru) : r.name_ru} active={r.active} /> },
    { key: 'roles', header: t('settings.partners.roles'), width: '12rem', render: roles },
    { key: 'country', header: t('settings.country'), width: '4rem', render: (r) => r.country },
  ];
  const filter = (
    <Field label={t('settings.partners.roles')}>
      {(id) => (
        <SelectInput
          id={id}
          value={role}
          onChange={setRole}
          placeholder={t('settings.all')}
          options={(['supplier', 'customer', 'consignee'] as const).map((r) => ({ value: r, label: t(`settings.partners.${r}`) }))}
        />
      )}
    </Field>
  );
  return (
    <ReferenceEditor<PartnerRow, PartnerForm>
      entity="partners"
      op="partners.upsert"
      rows={list.data?.rows}
      error={list.error}
      columns={columns}
      filter={filter}
      note={t('settings.partners.activeOnly')}
      blank={() => ({
        code: '',
        is_supplier: false,
        is_customer: false,
        is_consignee: false,
        name_ru: '',
        name_en: '',
        name_zh: '',
        address_ru: '',
        address_en: '',
        address_zh: '',
        country: 'CN',
        tax_id: '',
        contact: '',
        active: true,
      })}
      fromRow={(r) => ({
        code: r.code,
        is_supplier: r.is_supplier === 1,
        is_customer: r.is_customer === 1,
        is_consignee: r.is_consignee === 1,
        name_ru: r.name_ru,
        name_en: r.name_en ?? '',
        name_zh: r.name_zh ?? '',
        address_ru: r.address_ru ?? '',
        address_en: r.address_en ?? '',
        address_zh: r.address_zh ?? '',
        country: r.country,
        tax_id: r.tax_id ?? '',
        contact: r.contact ?? '',
        active: r.active === 1,
      })}
      toInput={(f) => ({
        code: f.code.trim(),
        is_supplier: f.is_supplier ? 1 : 0,
        is_customer: f.is_customer ? 1 : 0,
        is_consignee: f.is_consignee ? 1 : 0,
        name_ru: f.name_ru,
        name_en: opt(f.name_en),
        name_zh: opt(f.name_zh),
        address_ru: opt(f.address_ru),
        address_en: opt(f.address_en),
        address_zh: opt(f.address_zh),
        country: f.country.trim().toUpperCase(),
        tax_id: opt(f.tax_id),
        contact: opt(f.contact),
        active: f.active ? 1 : 0,
      })}
      fields={['code', 'is_supplier', 'is_customer', 'is_consignee', 'name_ru', 'name_en', 'name_zh', 'address_ru', 'address_en', 'address_zh', 'country', 'tax_id', 'contact', 'active']}
      render={(f, set, err, editing) => (
        <>
          <div className="grid-2">
            <CodeField value={f.code} onChange={set('code')} error={err('code')} editing={editing} hint={t('settings.codeHint')} upper />
            <Field label={t('settings.country')} error={err('country')} hint={t('settings.countryHint')}>
              {(id) => <TextInput id={id} value={f.country} onChange={(v) => set('country')(v.toUpperCase())} maxLength={2} required />}
            </Field>
          </div>
          <fieldset className="set-fieldset">
            <legend>{t('settings.partners.roles')}</legend>
            <div className="set-check-row">
              <Check label={t('settings.partners.supplier')} checked={f.is_supplier} onChange={set('is_supplier')} />
              <Check label={t('settings.partners.customer')} checked={f.is_customer} onChange={set('is_customer')} />
              <Check label={t('settings.partners.consignee')} checked={f.is_consignee} onChange={set('is_consignee')} />
            </div>
          </fieldset>
          <NamesFields f={f} set={set} err={err} />
          <AddressFields f={f} set={set} err={err} />
          <div className="grid-2">
            <Field label={t('settings.partners.taxId')} error={err('tax_id')}>
              {(id) => <TextInput id={id} value={f.tax_id} onChange={set('tax_id')} maxLength={40} />}
            </Field>
            <Field label={t('settings.partners.contact')} error={err('contact')}>
              {(id) => <TextInput id={id} value={f.contact} onChange={set('contact')} maxLength={200} />}
            </Field>
          </div>
          <ActiveCheck value={f.active} onChange={set('active')} />
        </>
      )}
    />
  );
}

// ── locations ───────────────────────────────────────────────────────────────────────────────

interface LocationForm {
  code: string;
  name: string;
  kind: string;
  temp_min: string;
  temp_max: string;
  active: boolean;
}

function LocationsTab() {
  const { t, i18n } = useTranslation();
  const list = useQuery('locations.list', {});
  const kinds = (['cold_room', 'freezer', 'dock', 'production', 'quarantine', 'dry'] as const).map((k) => ({ value: k, label: t(`settings.locations.kinds.${k}`) }));
  const columns: Column<LocationRow>[] = [
    { key: 'code', header: t('settings.code'), width: '6.5rem', render: (r) => r.code },
    { key: 'name', header: t('settings.name'), width: '1fr', render: (r) => <NameCell name={r.name} active={r.active} /> },
    { key: 'kind', header: t('settings.locations.kind'), width: '10rem', render: (r) => t(`settings.locations.kinds.${r.kind}`) },
    { key: 'temp', header: t('settings.locations.tempRange'), width: '7.5rem', render: (r) => tempRange(r.temp_min, r.temp_max, i18n.language) },
  ];
  return (
    <ReferenceEditor<LocationRow, LocationForm>
      entity="locations"
      op="locations.upsert"
      rows={list.data?.rows}
      error={list.error}
      columns={columns}
      blank={() => ({ code: '', name: '', kind: 'cold_room', temp_min: '', temp_max: '', active: true })}
      fromRow={(r) => ({ code: r.code, name: r.name, kind: r.kind, temp_min: numText(r.temp_min), temp_max: numText(r.temp_max), active: r.active === 1 })}
      toInput={(f) => ({ code: f.code.trim(), name: f.name, kind: f.kind, temp_min: optNum(f.temp_min), temp_max: optNum(f.temp_max), active: f.active ? 1 : 0 })}
      fields={['code', 'name', 'kind', 'temp_min', 'temp_max', 'active']}
      render={(f, set, err, editing) => (
        <>
          <div className="grid-2">
            <CodeField value={f.code} onChange={set('code')} error={err('code')} editing={editing} hint={t('settings.codeHint')} upper />
            <Field label={t('settings.locations.kind')} error={err('kind')}>
              {(id) => <SelectInput id={id} value={f.kind} onChange={set('kind')} options={kinds} required />}
            </Field>
            <Field label={t('settings.name')} error={err('name')} wide>
              {(id) => <TextInput id={id} value={f.name} onChange={set('name')} required maxLength={200} />}
            </Field>
            <Field label={t('settings.locations.tempMin')} error={err('temp_min')}>
              {(id) => <TextInput id={id} value={f.temp_min} onChange={set('temp_min')} inputMode="decimal" />}
            </Field>
            <Field label={t('settings.locations.tempMax')} error={err('temp_max')}>
              {(id) => <TextInput id={id} value={f.temp_max} onChange={set('temp_max')} inputMode="decimal" />}
            </Field>
          </div>
          <ActiveCheck value={f.active} onChange={set('active')} />
        </>
      )}
    />
  );
}

// ── equipment ───────────────────────────────────────────────────────────────────────────────

interface EquipmentForm {
  code: string;
  name: string;
  kind: string;
  capacity: string;
  active: boolean;
}

function EquipmentTab() {
  const { t } = useTranslation();
  const list = useQuery('equipment.list', {});
  const kinds = (['smoker', 'line', 'freezer', 'cooker', 'other'] as const).map((k) => ({ value: k, label: t(`settings.equipment.kinds.${k}`) }));
  const columns: Column<EquipmentRow>[] = [
    { key: 'code', header: t('settings.code'), width: '8rem', render: (r) => r.code },
    { key: 'name', header: t('settings.name'), width: '1fr', render: (r) => <NameCell name={r.name} active={r.active} /> },
    { key: 'kind', header: t('settings.equipment.kind'), width: '10rem', render: (r) => t(`settings.equipment.kinds.${r.kind}`) },
    { key: 'capacity', header: t('settings.equipment.capacity'), width: '7.5rem', align: 'right', render: (r) => kg(r.capacity_g) },
  ];
  return (
    <ReferenceEditor<EquipmentRow, EquipmentForm>
      entity="equipment"
      op="equipment.upsert"
      rows={list.data?.rows}
      error={list.error}
      columns={columns}
      blank={() => ({ code: '', name: '', kind: 'line', capacity: '', active: true })}
      fromRow={(r) => ({ code: r.code, name: r.name, kind: r.kind, capacity: kgText(r.capacity_g), active: r.active === 1 })}
      toInput={(f) => ({
        code: f.code.trim(),
        name: f.name,
        kind: f.kind,
        capacity_g: f.capacity.trim() === '' ? null : (parseKg(f.capacity) ?? f.capacity),
        active: f.active ? 1 : 0,
      })}
      fields={['code', 'name', 'kind', 'capacity_g', 'active']}
      render={(f, set, err, editing) => (
        <>
          <div className="grid-2">
            <CodeField value={f.code} onChange={set('code')} error={err('code')} editing={editing} hint={t('settings.codeHint')} upper />
            <Field label={t('settings.equipment.kind')} error={err('kind')}>
              {(id) => <SelectInput id={id} value={f.kind} onChange={set('kind')} options={kinds} required />}
            </Field>
            <Field label={t('settings.name')} error={err('name')} wide>
              {(id) => <TextInput id={id} value={f.name} onChange={set('name')} required maxLength={200} />}
            </Field>
            <Field label={t('settings.equipment.capacityKg')} error={err('capacity_g')} hint={t('settings.equipment.capacityHint')}>
              {(id) => <KgInput id={id} value={f.capacity} onChange={set('capacity')} />}
            </Field>
          </div>
          <ActiveCheck value={f.active} onChange={set('active')} />
        </>
      )}
    />
  );
}
