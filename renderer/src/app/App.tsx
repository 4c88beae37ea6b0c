// The application frame: first run → administrator, login, then the workspace with navigation
// shaped by the user's role, a language switch and the touch-friendly line mode.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { OperationError } from '../../../main/contract/errors';
import type { OperationOutput } from '../../../main/contract/operations';
import type { Permission } from '../../../main/contract/roles';
import { api } from '../api/client';
import { onAuthLost } from '../api/hooks';
import { AlertBanner } from '../components/AlertBanner';
import { Button, ErrorBanner, Field, fieldError, TextInput } from '../components/forms';
import { LineModeContext } from '../components/lineMode';
import { SyncIndicator, SyncStatusProvider } from '../components/syncStatus';
import { setLanguage, type Lang } from '../i18n';
import { SCREENS, type ScreenId } from '../screens';

type Me = OperationOutput<'auth.me'>;

interface SessionContext {
  me: Me;
  can(permission: Permission): boolean;
  navigate(screen: ScreenId, param?: string): void;
  param: string | undefined;
  lineMode: boolean;
}

const Session = createContext<SessionContext | null>(null);

export function useSession(): SessionContext {
  const value = useContext(Session);
  if (!value) throw new Error('useSession outside the logged-in app');
  return value;
}

function parseHash(): { screen: ScreenId | undefined; param: string | undefined } {
  const [, screen, ...rest] = window.location.hash.replace(/^#/, '').split('/');
  const known = SCREENS.find((s) => s.id === screen);
  return { screen: known?.id, param: rest.length ? decodeURIComponent(rest.join('/')) : undefined };
}

export function App() {
  const [phase, setPhase] = useState<'loading' | 'setup' | 'login' | 'ready' | 'offline'>('loading');
  const [me, setMe] = useState<Me>();
  const [startError, setStartError] = useState<OperationError>();

  const start = useCallback(async () => {
    const status = await api.result('setup.status', {});
    if (!status.ok) {
      setStartError(status.error);
      setPhase('offline');
      return;
    }
    if (!status.value.initialised) return setPhase('setup');
    if (api.hasSession()) {
      const who = await api.result('auth.me', {});
      if (who.ok) {
        setMe(who.value);
        return setPhase('ready');
      }
      api.setSession(null);
    }
    setPhase('login');
  }, []);

  useEffect(() => {
    void start();
    return onAuthLost(() => {
      api.setSession(null);
      setMe(undefined);
      setPhase('login');
    });
  }, [start]);

  if (phase === 'loading') return <Splash />;
  if (phase === 'offline') return <ErrorBanner error={startError} />;
  if (phase === 'setup') return <FirstRun onDone={() => setPhase('login')} />;
  if (phase === 'login' || !me) return <Login onDone={(who) => (setMe(who), setPhase('ready'))} />;
  return (
    <Workspace
      me={me}
      onLogout={async () => {
        await api.result('auth.logout', {});
        api.setSession(null);
        setMe(undefined);
        setPhase('login');
      }}
    />
  );
}

function Splash() {
  const { t } = useTranslation();
  return <div className="splash">{t('app.loading')}</div>;
}

function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <label className="lang-switch">
      <span className="sr-only">{t('app.language')}</span>
      <select value={i18n.language} onChange={(e) => setLanguage(e.target.value as Lang)} aria-label={t('app.language')}>
        <option value="ru">Русский</option>
        <option value="en">English</option>
      </select>
    </label>
  );
}

function FirstRun({ onDone }: { onDone(): void }) {
  const { t, i18n } = useTranslation();
  const [form, setForm] = useState({ code: '', name_ru: '', name_en: '', china_reg_no: '', vet_approval_no: '', username: 'admin', display_name: '', password: '', repeat: '' });
  const [error, setError] = useState<OperationError>();
  const [pending, setPending] = useState(false);
  const set = (key: keyof typeof form) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  const lang = i18n.language;
  const mismatch = form.repeat !== '' && form.password !== form.repeat;

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (form.password !== form.repeat) return;
    setPending(true);
    const result = await api.result('setup.initialise', {
      site: {
        code: form.code.trim().toUpperCase(),
        name_ru: form.name_ru,
        name_en: form.name_en,
        china_reg_no: form.china_reg_no || null,
        vet_approval_no: form.vet_approval_no || null,
      },
      admin: { username: form.username, display_name: form.display_name, password: form.password },
    });
    setPending(false);
    if (result.ok) onDone();
    else setError(result.error);
  };

  const err = (field: string) => fieldError(error, field, lang);
  return (
    <main className="auth-page">
      <form className="card auth-card wide" onSubmit={submit} aria-labelledby="first-run-title">
        <div className="card-head">
          <h1 id="first-run-title">{t('auth.firstRunTitle')}</h1>
          <LanguageSwitch />
        </div>
        <p className="muted">{t('auth.firstRunHint')}</p>
        <div className="grid-2">
          <Field label={t('auth.siteCode')} error={err('site.code')} hint="BFP, BMP…">
            {(id) => <TextInput id={id} value={form.code} onChange={set('code')} required maxLength={6} autoFocus />}
          </Field>
          <Field label={t('auth.chinaRegNo')} error={err('site.china_reg_no')}>
            {(id) => <TextInput id={id} value={form.china_reg_no} onChange={set('china_reg_no')} />}
          </Field>
          <Field label={t('auth.siteNameRu')} error={err('site.name_ru')}>
            {(id) => <TextInput id={id} value={form.name_ru} onChange={set('name_ru')} required />}
          </Field>
          <Field label={t('auth.siteNameEn')} error={err('site.name_en')}>
            {(id) => <TextInput id={id} value={form.name_en} onChange={set('name_en')} required />}
          </Field>
          <Field label={t('auth.vetApprovalNo')} error={err('site.vet_approval_no')}>
            {(id) => <TextInput id={id} value={form.vet_approval_no} onChange={set('vet_approval_no')} />}
          </Field>
          <div />
          <Field label={t('auth.adminUsername')} error={err('admin.username')}>
            {(id) => <TextInput id={id} value={form.username} onChange={set('username')} required autoComplete="username" />}
          </Field>
          <Field label={t('auth.adminName')} error={err('admin.display_name')}>
            {(id) => <TextInput id={id} value={form.display_name} onChange={set('display_name')} required />}
          </Field>
          <Field label={t('auth.password')} error={err('admin.password')}>
            {(id) => <TextInput id={id} type="password" value={form.password} onChange={set('password')} required autoComplete="new-password" />}
          </Field>
          <Field label={t('auth.passwordRepeat')} error={mismatch ? t('auth.passwordsDiffer') : undefined}>
            {(id) => <TextInput id={id} type="password" value={form.repeat} onChange={set('repeat')} required autoComplete="new-password" />}
          </Field>
        </div>
        <ErrorBanner error={error} shownFields={['site.code', 'site.name_ru', 'site.name_en', 'site.china_reg_no', 'site.vet_approval_no', 'admin']} />
        <div className="actions">
          <Button kind="primary" type="submit" pending={pending} disabled={mismatch}>
            {t('auth.create')}
          </Button>
        </div>
      </form>
    </main>
  );
}

function Login({ onDone }: { onDone(me: Me): void }) {
  const { t } = useTranslation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<OperationError>();
  const [pending, setPending] = useState(false);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setPending(true);
    const login = await api.result('auth.login', { username, password });
    if (!login.ok) {
      setPending(false);
      setError(login.error);
      return;
    }
    api.setSession(login.value.token);
    const who = await api.result('auth.me', {});
    setPending(false);
    if (who.ok) onDone(who.value);
    else setError(who.error);
  };
  return (
    <main className="auth-page">
      <form className="card auth-card" onSubmit={submit} aria-labelledby="login-title">
        <div className="card-head">
          <h1 id="login-title">{t('auth.loginTitle')}</h1>
          <LanguageSwitch />
        </div>
        <Field label={t('auth.username')}>
          {(id) => <TextInput id={id} value={username} onChange={setUsername} required autoFocus autoComplete="username" />}
        </Field>
        <Field label={t('auth.password')}>
          {(id) => <TextInput id={id} type="password" value={password} onChange={setPassword} required autoComplete="current-password" />}
        </Field>
        <ErrorBanner error={error} />
        <div className="actions">
          <Button kind="primary" type="submit" pending={pending}>
            {t('auth.login')}
          </Button>
        </div>
      </form>
    </main>
  );
}

function Workspace({ me, onLogout }: { me: Me; onLogout(): void }) {
  const { t } = useTranslation();
  const permissions = useMemo(() => new Set(me.permissions), [me]);
  const can = useCallback((p: Permission) => permissions.has(p), [permissions]);
  const visible = SCREENS.filter((s) => s.any.some((p) => permissions.has(p)));
  const [route, setRoute] = useState(parseHash);
  const [lineMode, setLineMode] = useState(() => localStorage.getItem('plantdesk.lineMode') === '1' || me.user.roles.every((r) => r === 'operator'));

  useEffect(() => {
    const onHash = () => setRoute(parseHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    document.body.classList.toggle('line-mode', lineMode);
    localStorage.setItem('plantdesk.lineMode', lineMode ? '1' : '0');
  }, [lineMode]);

  const navigate = useCallback((screen: ScreenId, param?: string) => {
    window.location.hash = `/${screen}${param ? `/${encodeURIComponent(param)}` : ''}`;
  }, []);
  const current = SCREENS.find((s) => s.id === route.screen) ?? visible[0];
  const allowed = current && current.any.some((p) => permissions.has(p));
  const context: SessionContext = { me, can, navigate, param: route.param, lineMode };

  return (
    <Session.Provider value={context}>
      <LineModeContext.Provider value={lineMode}>
      <SyncStatusProvider>
      <div className="shell">
        <header className="topbar">
          <div className="brand">
            {t('app.name')} <span className="muted">· {me.site.code}</span>
          </div>
          <nav aria-label="main">
            {visible.map((s) => (
              <a key={s.id} href={`#/${s.id}`} className={s.id === current?.id ? 'active' : undefined} aria-current={s.id === current?.id ? 'page' : undefined}>
                {t(`nav.${s.id}`)}
              </a>
            ))}
          </nav>
          <div className="topbar-right">
            <SyncIndicator />
            <label className="toggle">
              <input type="checkbox" checked={lineMode} onChange={(e) => setLineMode(e.target.checked)} /> {t('app.lineMode')}
            </label>
            <LanguageSwitch />
            <span className="user">{me.user.display_name}</span>
            <button className="btn btn-secondary" onClick={onLogout}>
              {t('app.logout')}
            </button>
          </div>
        </header>
        <AlertBanner />
        <main className="content" id="content">
          {current && allowed ? <Screen id={current.id}>{current.render()}</Screen> : <div className="banner banner-error">{t('common.forbidden')}</div>}
        </main>
      </div>
      </SyncStatusProvider>
      </LineModeContext.Provider>
    </Session.Provider>
  );
}

function Screen({ id, children }: { id: string; children: ReactNode }) {
  return (
    <section className="screen" data-screen={id}>
      {children}
    </section>
  );
}
