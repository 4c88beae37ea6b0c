// «Качество»: the lab's queue (quarantined lots, open inspections, completed ones awaiting a
// second signature), inspections whose verdict shows while the results are typed, verification,
// and release or block of a lot by hand. The route param is a lot code or an inspection number.
// Results sent by lab instruments are announced as they land and appear in the open inspection.
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { OperationOutput } from '../../../main/contract/operations';
import { useMutation, useQuery } from '../api/hooks';
import { useSession } from '../app/App';
import { DataTable, type Column } from '../components/DataTable';
import { Button, ErrorBanner, Field, fieldError, SelectInput, Status, TextInput } from '../components/forms';
import { LabNotices, LabSampler } from '../components/LabDevices';
import { date, dateTime, kg } from '../format';

type Lot = OperationOutput<'lots.list'>['rows'][number];
type InspectionListRow = OperationOutput<'inspections.list'>['rows'][number];
type Inspection = OperationOutput<'inspections.get'>;
type Parameter = Inspection['parameters'][number];
type ResultView = Inspection['results'][number];
type LotDetail = OperationOutput<'lots.get'>;
type StageName = 'incoming' | 'in_process' | 'final';
type Value = number | boolean | string;
type Verdict = 'pass' | 'fail' | 'info';
type Overall = 'pass' | 'fail' | 'incomplete';

const STAGES: StageName[] = ['incoming', 'in_process', 'final'];

/** A table's height for n rows, at most `max` rows before it scrolls. */
const fit = (n: number, max: number) => Math.max(48, Math.min(n, max) * 36 + 2);

// ── verdicts, computed here exactly as the server does (main/services/quality.ts) ─────────────

/** A typed number: "3,5", "-18", "−18", "4". Null when it is not one. */
export function parseNumber(text: string): number | null {
  const normal = text.trim().replace(/\s/g, '').replace('−', '-').replace(',', '.');
  if (!/^[-+]?(\d+(\.\d*)?|\.\d+)$/.test(normal)) return null;
  const n = Number(normal);
  return Number.isFinite(n) ? n : null;
}

/** A number as it would be typed: no grouping, a decimal comma in Russian. */
function typedNumber(n: number, lang: string): string {
  return lang === 'en' ? String(n) : String(n).replace('.', ',');
}

/** The verdict of one value against its parameter's limits: numeric inclusive min/max, pass/fail true = pass, text = info. */
export function judge(p: Pick<Parameter, 'kind' | 'min_value' | 'max_value'>, value: Value): Verdict {
  if (p.kind === 'numeric') {
    const v = value as number;
    if (p.min_value !== null && v < p.min_value) return 'fail';
    if (p.max_value !== null && v > p.max_value) return 'fail';
    return 'pass';
  }
  if (p.kind === 'pass_fail') return value === true ? 'pass' : 'fail';
  return 'info';
}

/** Fail if any counted result fails, incomplete while a required parameter has no value, else pass. */
export function overallVerdict(items: { required: boolean; verdict: Verdict | null }[]): Overall {
  if (items.some((i) => i.verdict === 'fail')) return 'fail';
  if (items.some((i) => i.required && i.verdict === null)) return 'incomplete';
  return 'pass';
}

function deciding(origin: 'receipt' | 'production'): StageName {
  return origin === 'receipt' ? 'incoming' : 'final';
}

function useNumber() {
  const { i18n } = useTranslation();
  const locale = i18n.language === 'en' ? 'en-GB' : 'ru-RU';
  return (n: number) => n.toLocaleString(locale, { maximumFractionDigits: 6 });
}

function useLimits() {
  const { t } = useTranslation();
  const num = useNumber();
  return (min: number | null, max: number | null, unit: string | null) => {
    const u = unit ? ` ${unit}` : '';
    if (min !== null && max !== null) return `${num(min)} … ${num(max)}${u}`;
    if (min !== null) return t('quality.min', { min: `${num(min)}${u}` });
    if (max !== null) return t('quality.max', { max: `${num(max)}${u}` });
    return t('quality.noNorm');
  };
}

// ── the screen ──────────────────────────────────────────────────────────────────────────────

export function QualityScreen() {
  const { t } = useTranslation();
  const { param } = useSession();
  const isInspection = param?.startsWith('QC-') ?? false;
  return (
    <>
      <h1>{t('nav.quality')}</h1>
      <LabNotices />
      <div className="qc-layout">
        <Queue />
        <div className="qc-work">
          {param === undefined ? (
            <div className="card muted">{t('quality.selectHint')}</div>
          ) : isInspection ? (
            <InspectionPanel key={param} number={param} />
          ) : (
            <LotPanel key={param} code={param} />
          )}
        </div>
      </div>
    </>
  );
}

function Queue() {
  const { t, i18n } = useTranslation();
  const { me, can, navigate } = useSession();
  const [ownOnly, setOwnOnly] = useState(true);
  const [code, setCode] = useState('');
  const lots = useQuery('lots.list', { status: 'quarantine', in_stock: true, limit: 1000 });
  const open = useQuery('inspections.list', { status: 'open', limit: 1000 });
  const completed = useQuery('inspections.list', can('quality.verify') ? { status: 'completed', limit: 1000 } : null);
  const mine = <T extends { site_id: string }>(rows: readonly T[] | undefined) => (rows ?? []).filter((r) => !ownOnly || r.site_id === me.site.id);
  const openByLot = useMemo(() => new Map((open.data?.rows ?? []).map((r) => [r.lot_code, r.number])), [open.data]);
  const unverified = mine(completed.data?.rows).filter((r) => r.verifier_id === null);
  const name = (l: Lot) => (i18n.language === 'en' ? l.product_name_en : l.product_name_ru);

  const lotColumns: Column<Lot>[] = [
    { key: 'code', header: t('quality.col.lot'), width: '9.5rem', render: (l) => <strong>{l.code}</strong> },
    { key: 'product', header: t('quality.col.product'), render: (l) => <span title={name(l)}>{l.product_code}</span> },
    { key: 'stage', header: t('quality.col.deciding'), width: '6.5rem', render: (l) => t(`quality.stageShort.${deciding(l.origin)}`) },
    { key: 'qty', header: t('quality.col.qty'), width: '6.5rem', align: 'right', render: (l) => kg(l.qty_g) },
    { key: 'days', header: t('quality.col.daysLeft'), width: '5rem', align: 'right', render: (l) => <span className={l.days_left <= 1 ? 'qc-urgent' : undefined}>{l.days_left}</span> },
    { key: 'insp', header: t('quality.col.inspection'), width: '11rem', render: (l) => openByLot.get(l.code) ?? '—' },
  ];
  const inspectionColumns = (done: boolean): Column<InspectionListRow>[] => [
    { key: 'number', header: t('quality.col.number'), width: '11rem', render: (r) => r.number },
    { key: 'lot', header: t('quality.col.lot'), width: '9.5rem', render: (r) => r.lot_code },
    { key: 'product', header: t('quality.col.product'), render: (r) => r.product_code },
    done
      ? { key: 'verdict', header: t('quality.col.verdict'), width: '9rem', render: (r) => (r.verdict ? <Status value={r.verdict} /> : '—') }
      : { key: 'stage', header: t('quality.col.stage'), width: '6.5rem', render: (r) => t(`quality.stageShort.${r.stage}`) },
    {
      key: 'at',
      header: done ? t('quality.col.completed') : t('quality.col.opened'),
      width: '9.5rem',
      render: (r) => (
        <>
          <span title={dateTime(done ? r.completed_at : r.created_at)}>{dateTime(done ? r.completed_at : r.created_at)}</span>
          {done && r.inspector_id === me.user.id ? <span className="muted"> · {t('quality.yours')}</span> : null}
        </>
      ),
    },
  ];

  const find = (event: FormEvent) => {
    event.preventDefault();
    const key = code.trim();
    if (key) navigate('quality', key);
  };

  return (
    <div className="qc-queue" aria-label={t('quality.queue')}>
      <div className="toolbar">
        <form className="toolbar" onSubmit={find}>
          <Field label={t('quality.findLot')}>{(id) => <TextInput id={id} value={code} onChange={setCode} autoComplete="off" />}</Field>
          <Button type="submit" disabled={!code.trim()}>
            {t('quality.find')}
          </Button>
        </form>
        <label className="toggle qc-own">
          <input type="checkbox" checked={ownOnly} onChange={(e) => setOwnOnly(e.target.checked)} /> {t('quality.ownSiteOnly', { site: me.site.code })}
        </label>
      </div>
      <ErrorBanner error={lots.error ?? open.error ?? completed.error} />
      <h2>
        {t('quality.quarantineLots')} <span className="muted">({mine(lots.data?.rows).length})</span>
      </h2>
      <DataTable
        label={t('quality.quarantineLots')}
        testId="qc-quarantine"
        columns={lotColumns}
        rows={mine(lots.data?.rows)}
        rowKey={(l) => l.id}
        onActivate={(l) => navigate('quality', l.code)}
        height={fit(mine(lots.data?.rows).length, 7)}
      />
      <h2>
        {t('quality.openInspections')} <span className="muted">({mine(open.data?.rows).length})</span>
      </h2>
      <DataTable
        label={t('quality.openInspections')}
        testId="qc-open"
        columns={inspectionColumns(false)}
        rows={mine(open.data?.rows)}
        rowKey={(r) => r.id}
        onActivate={(r) => navigate('quality', r.number)}
        height={fit(mine(open.data?.rows).length, 5)}
      />
      {can('quality.verify') ? (
        <>
          <h2>
            {t('quality.toVerify')} <span className="muted">({unverified.length})</span>
          </h2>
          <DataTable
            label={t('quality.toVerify')}
            testId="qc-verify"
            columns={inspectionColumns(true)}
            rows={unverified}
            rowKey={(r) => r.id}
            onActivate={(r) => navigate('quality', r.number)}
            height={fit(unverified.length, 5)}
          />
        </>
      ) : null}
    </div>
  );
}

// ── a lot: its status, its inspections, a new inspection, release and block ─────────────────

function LotPanel({ code }: { code: string }) {
  const { t } = useTranslation();
  const { me, navigate } = useSession();
  const detail = useQuery('lots.get', { code });
  const lot = detail.data?.lot;
  if (detail.error) return <ErrorBanner error={detail.error} />;
  if (!detail.data || !lot) return <div className="card muted">{t('app.loading')}</div>;
  const own = lot.site_id === me.site.id;
  const open = detail.data.inspections.find((i) => i.status === 'open');
  return (
    <div className="card qc-panel">
      <div className="card-head">
        <h2>{t('quality.lotTitle', { code: lot.code })}</h2>
        <Button onClick={() => navigate('quality')}>{t('quality.closePanel')}</Button>
      </div>
      <LotFacts detail={detail.data} />
      <h3>{t('quality.lotInspections')}</h3>
      {detail.data.inspections.length === 0 ? (
        <p className="muted">{t('quality.noInspections')}</p>
      ) : (
        <ul className="qc-list">
          {[...detail.data.inspections].reverse().map((i) => (
            <li key={i.id}>
              <a href={`#/quality/${encodeURIComponent(i.number)}`}>{i.number}</a> · {t(`quality.stage.${i.stage}`)} · <Status value={i.status} />{' '}
              {i.verdict ? <Status value={i.verdict} /> : null} <span className="muted">{dateTime(i.completed_at ?? i.created_at)}</span>
            </li>
          ))}
        </ul>
      )}
      {!own ? (
        <div className="banner banner-warn">{t('quality.otherSite')}</div>
      ) : (
        <>
          {open ? (
            <div className="banner banner-warn qc-row">
              <span>{t('quality.hasOpen', { number: open.number })}</span>
              <Button kind="primary" onClick={() => navigate('quality', open.number)}>
                {t('quality.goTo')}
              </Button>
            </div>
          ) : (
            <OpenInspection lot={lot} key={lot.code} />
          )}
          <LotActions lot={lot} />
        </>
      )}
    </div>
  );
}

function LotFacts({ detail }: { detail: LotDetail }) {
  const { t, i18n } = useTranslation();
  const lot = detail.lot;
  const name = i18n.language === 'en' ? lot.product_name_en : lot.product_name_ru;
  return (
    <dl className="qc-facts">
      <dt>{t('quality.product')}</dt>
      <dd>
        {lot.product_code} · {name}
      </dd>
      <dt>{t('quality.originLabel')}</dt>
      <dd>
        {t(`quality.origin.${lot.origin}`)}
        {lot.supplier_name ? ` · ${lot.supplier_name}` : ''}
      </dd>
      <dt>{t('quality.produced')}</dt>
      <dd>{date(lot.produced_at)}</dd>
      <dt>{t('quality.expires')}</dt>
      <dd>
        {date(lot.expires_at)} <span className="muted">({lot.days_left})</span>
      </dd>
      <dt>{t('quality.inStock')}</dt>
      <dd>
        {kg(lot.qty_g)} {t('common.kg')}
        {detail.stock.length ? <span className="muted"> · {detail.stock.map((s) => `${s.location_code}: ${kg(s.qty_g)}`).join(', ')}</span> : null}
      </dd>
      <dt>{t('quality.statusLabel')}</dt>
      <dd className="qc-status-line">
        <Status value={lot.status} />
        {lot.status_source ? <span className="muted"> {t(`quality.statusSource.${lot.status_source}`)}</span> : null}
        {lot.status_reason ? <span> · {t('quality.statusReason')}: {lot.status_reason}</span> : null}
      </dd>
      <dt>{t('quality.decidingStage')}</dt>
      <dd>{t(`quality.stage.${deciding(lot.origin)}`)}</dd>
    </dl>
  );
}

function OpenInspection({ lot }: { lot: Lot }) {
  const { t, i18n } = useTranslation();
  const { navigate } = useSession();
  const lang = i18n.language;
  const [stage, setStage] = useState<StageName>(deciding(lot.origin));
  const [choice, setChoice] = useState('');
  const templates = useQuery('templates.list', { product: lot.product_code, stage });
  const openM = useMutation('inspections.open');
  const rows = templates.data?.rows ?? [];
  const own = rows.filter((r) => r.product_code === lot.product_code);
  // As the server chooses: the product's own templates first, generic ones otherwise.
  const fitting = own.length > 0 ? own : rows;
  const auto = fitting.length === 1 ? fitting[0]!.code : '';
  const template = choice || auto;
  const ordered = [...own, ...rows.filter((r) => r.product_code !== lot.product_code)];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const opened = await openM.run({ lot: lot.code, stage, ...(template ? { template } : {}) });
    if (opened) navigate('quality', opened.number);
  };

  return (
    <form className="qc-section" onSubmit={submit} aria-label={t('quality.newInspection')}>
      <h3>{t('quality.newInspection')}</h3>
      <div className="grid-2">
        <Field label={t('quality.stageField')} error={fieldError(openM.error, 'stage', lang)}>
          {(id) => (
            <SelectInput
              id={id}
              value={stage}
              onChange={(v) => {
                setStage((v || deciding(lot.origin)) as StageName);
                setChoice('');
              }}
              options={STAGES.map((s) => ({ value: s, label: t(`quality.stage.${s}`) }))}
            />
          )}
        </Field>
        <Field
          label={t('quality.templateField')}
          error={fieldError(openM.error, 'template', lang)}
          hint={templates.loading ? undefined : fitting.length === 0 ? t('quality.noTemplate') : fitting.length > 1 ? t('quality.severalTemplates') : t('quality.oneTemplate')}
        >
          {(id) => (
            <SelectInput
              id={id}
              value={template}
              onChange={setChoice}
              placeholder={t('quality.chooseTemplate')}
              options={ordered.map((r) => ({ value: r.code, label: `${r.code} · ${lang === 'en' ? r.name_en : r.name_ru}` }))}
            />
          )}
        </Field>
      </div>
      <ErrorBanner error={openM.error} shownFields={['stage', 'template']} />
      <div className="actions">
        <Button kind="primary" type="submit" pending={openM.pending}>
          {t('quality.openInspection')}
        </Button>
      </div>
    </form>
  );
}

/** Release (second-level permission) and block, each with its reason. */
function LotActions({ lot }: { lot: Pick<Lot, 'code' | 'status' | 'status_source'> }) {
  const { t, i18n } = useTranslation();
  const { can } = useSession();
  const lang = i18n.language;
  const [releaseReason, setReleaseReason] = useState('');
  const [blockReason, setBlockReason] = useState('');
  const [done, setDone] = useState<string>();
  const release = useMutation('lots.release');
  const block = useMutation('lots.block');
  const canRelease = can('quality.verify') && lot.status !== 'released';
  const canBlock = !(lot.status === 'blocked' && lot.status_source === 'manual');

  const doRelease = async (event: FormEvent) => {
    event.preventDefault();
    block.clear();
    const row = await release.run({ code: lot.code, reason: releaseReason });
    if (row) {
      setReleaseReason('');
      setDone(t('quality.statusNow', { code: row.code, status: t(`status.${row.status}`) }));
    }
  };
  const doBlock = async (event: FormEvent) => {
    event.preventDefault();
    release.clear();
    const row = await block.run({ code: lot.code, reason: blockReason });
    if (row) {
      setBlockReason('');
      setDone(t('quality.statusNow', { code: row.code, status: t(`status.${row.status}`) }));
    }
  };

  return (
    <div className="qc-lot-actions">
      {done ? (
        <div className="banner banner-ok" role="status">
          {done}
        </div>
      ) : null}
      {lot.status === 'blocked' && lot.status_source === 'manual' ? <div className="banner banner-warn">{t('quality.manualHold')}</div> : null}
      <div className="grid-2">
        {canRelease ? (
          <form className="qc-section" onSubmit={doRelease} aria-label={t('quality.release')}>
            <Field label={t('quality.releaseReason')} error={fieldError(release.error, 'reason', lang) ?? fieldError(release.error, 'code', lang)} hint={t('quality.releaseHint')}>
              {(id) => <TextInput id={id} value={releaseReason} onChange={setReleaseReason} maxLength={500} />}
            </Field>
            <ErrorBanner error={release.error} shownFields={['reason', 'code']} />
            <Button kind="primary" type="submit" pending={release.pending} disabled={!releaseReason.trim()}>
              {t('quality.release')}
            </Button>
          </form>
        ) : null}
        {canBlock ? (
          <form className="qc-section" onSubmit={doBlock} aria-label={t('quality.block')}>
            <Field label={t('quality.blockReason')} error={fieldError(block.error, 'reason', lang) ?? fieldError(block.error, 'code', lang)} hint={t('quality.blockHint')}>
              {(id) => <TextInput id={id} value={blockReason} onChange={setBlockReason} maxLength={500} />}
            </Field>
            <ErrorBanner error={block.error} shownFields={['reason', 'code']} />
            <Button kind="danger" type="submit" pending={block.pending} disabled={!blockReason.trim()}>
              {t('quality.block')}
            </Button>
          </form>
        ) : null}
      </div>
    </div>
  );
}

// ── an inspection: the results form while open, the signed record once completed ────────────

function InspectionPanel({ number }: { number: string }) {
  const { t, i18n } = useTranslation();
  const { me, navigate } = useSession();
  const q = useQuery('inspections.get', { number });
  const insp = q.data;
  const lotQ = useQuery('lots.get', insp ? { code: insp.lot_code } : null);
  const [justCompleted, setJustCompleted] = useState(false);
  if (q.error) return <ErrorBanner error={q.error} />;
  if (!insp) return <div className="card muted">{t('app.loading')}</div>;
  const lot = lotQ.data?.lot;
  const own = insp.site_id === me.site.id;
  const lang = i18n.language;

  return (
    <div className="card qc-panel">
      <div className="card-head">
        <h2>{t('quality.inspectionTitle', { number: insp.number })}</h2>
        <div className="qc-row">
          <Button onClick={() => navigate('quality', insp.lot_code)}>{t('quality.toLot', { code: insp.lot_code })}</Button>
          <Button onClick={() => navigate('quality')}>{t('quality.closePanel')}</Button>
        </div>
      </div>
      <dl className="qc-facts">
        <dt>{t('quality.product')}</dt>
        <dd>
          {insp.product_code}
          {lot ? ` · ${lang === 'en' ? lot.product_name_en : lot.product_name_ru}` : ''}
        </dd>
        <dt>{t('quality.templateLabel')}</dt>
        <dd>{insp.template_code}</dd>
        <dt>{t('quality.stageLabel')}</dt>
        <dd>{t(`quality.stage.${insp.stage}`)}</dd>
        <dt>{t('quality.statusLabel')}</dt>
        <dd>
          <Status value={insp.status} /> {insp.verdict ? <Status value={insp.verdict} /> : null}
        </dd>
        <dt>{t('quality.inspector')}</dt>
        <dd>{insp.inspector}</dd>
        <dt>{insp.completed_at ? t('quality.completedAt') : t('quality.opened')}</dt>
        <dd>{dateTime(insp.completed_at ?? insp.created_at)}</dd>
        {lot ? (
          <>
            <dt>{t('quality.toLot', { code: lot.code })}</dt>
            <dd className="qc-status-line">
              <Status value={lot.status} />
              {lot.status_reason ? <span className="muted"> · {lot.status_reason}</span> : null}
            </dd>
          </>
        ) : null}
      </dl>
      {insp.status === 'open' ? (
        own ? (
          <>
            <LabSampler inspection={insp.number} />
            <ResultsForm inspection={insp} onCompleted={() => setJustCompleted(true)} />
          </>
        ) : (
          <>
            <div className="banner banner-warn">{t('quality.otherSite')}</div>
            <ResultsRecord inspection={insp} />
          </>
        )
      ) : (
        <>
          <CompletedOutcome inspection={insp} lot={lot} highlight={justCompleted} />
          <ResultsRecord inspection={insp} />
          <Verification inspection={insp} />
        </>
      )}
      {lot && own && insp.status === 'completed' ? <LotActions lot={lot} /> : null}
    </div>
  );
}

function savedValue(p: Parameter, results: readonly ResultView[]): Value | undefined {
  const r = results.find((x) => x.parameter_id === p.id);
  if (!r) return undefined;
  if (p.kind === 'numeric') return r.value_num ?? undefined;
  if (p.kind === 'pass_fail') return r.value_bool === null ? undefined : r.value_bool === 1;
  return r.value_text ?? undefined;
}

type Draft = string | boolean | null;

/** A value as its field shows it: typed text, or the pass/fail choice. */
function asDraft(p: Parameter, value: Value | undefined, lang: string): Draft {
  if (p.kind === 'pass_fail') return value === undefined ? null : (value as boolean);
  if (value === undefined) return '';
  return p.kind === 'numeric' ? typedNumber(value as number, lang) : String(value);
}

function ResultsForm({ inspection, onCompleted }: { inspection: Inspection; onCompleted(): void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const num = useNumber();
  const limits = useLimits();
  const params = inspection.parameters;
  const [drafts, setDrafts] = useState<Record<string, Draft>>(() => Object.fromEntries(params.map((p) => [p.code, asDraft(p, savedValue(p, inspection.results), lang)])));
  // A result saved elsewhere (an instrument, another window) shows in its field, unless the user
  // has typed something else there.
  const shownSaved = useRef(new Map(params.map((p) => [p.code, savedValue(p, inspection.results)])));
  useEffect(() => {
    const arrived = params.flatMap((p) => {
      const before = shownSaved.current.get(p.code);
      const now = savedValue(p, inspection.results);
      return now === before ? [] : [{ p, before, now }];
    });
    if (arrived.length === 0) return;
    for (const a of arrived) shownSaved.current.set(a.p.code, a.now);
    setDrafts((d) => {
      const next = { ...d };
      for (const { p, before, now } of arrived) {
        const draft = d[p.code] ?? null;
        if (draft === null || draft === '' || draft === asDraft(p, before, lang)) next[p.code] = asDraft(p, now, lang);
      }
      return next;
    });
  }, [inspection.results, params, lang]);
  const [note, setNote] = useState('');
  const [message, setMessage] = useState<string>();
  const sent = useRef<string[]>([]);
  const record = useMutation('inspections.record');
  const complete = useMutation('inspections.complete');

  const rows = params.map((p) => {
    const draft = drafts[p.code] ?? (p.kind === 'pass_fail' ? null : '');
    const saved = savedValue(p, inspection.results);
    let typed: Value | undefined;
    let invalid = false;
    if (p.kind === 'pass_fail') typed = draft === null ? undefined : (draft as boolean);
    else if (typeof draft === 'string' && draft.trim() !== '') {
      if (p.kind === 'numeric') {
        const n = parseNumber(draft);
        if (n === null) invalid = true;
        else typed = n;
      } else typed = draft;
    }
    // An emptied field does not delete a saved result: the server still judges the saved one.
    const effective = typed ?? (invalid ? undefined : saved);
    const verdict: Verdict | null = effective === undefined ? null : judge(p, effective);
    const dirty = typed !== undefined && typed !== saved;
    return { p, draft, saved, typed, invalid, verdict, dirty };
  });
  const overall = overallVerdict(rows.map((r) => ({ required: r.p.required === 1, verdict: r.verdict })));
  const pname = (p: Parameter) => (lang === 'en' ? p.name_en : p.name_ru);
  const missing = rows.filter((r) => r.p.required === 1 && r.verdict === null).map((r) => pname(r.p));
  const failing = rows.filter((r) => r.verdict === 'fail').map((r) => pname(r.p));
  const dirty = rows.filter((r) => r.dirty);
  const anyInvalid = rows.some((r) => r.invalid);
  const show = (p: Parameter, v: Value) => (p.kind === 'pass_fail' ? (v ? t('quality.pass') : t('quality.fail')) : p.kind === 'numeric' ? `${num(v as number)}${p.unit ? ` ${p.unit}` : ''}` : String(v));

  const save = async (): Promise<boolean> => {
    if (anyInvalid) return false;
    if (dirty.length === 0) return true;
    sent.current = dirty.map((r) => r.p.code);
    const result = await record.run({ number: inspection.number, results: dirty.map((r) => ({ parameter: r.p.code, value: r.typed, source: 'manual' })) });
    return result !== undefined;
  };
  const onSave = async (event: FormEvent) => {
    event.preventDefault();
    complete.clear();
    setMessage(undefined);
    if (await save()) setMessage(t('quality.savedOk'));
  };
  const onComplete = async () => {
    complete.clear();
    setMessage(undefined);
    if (!(await save())) return;
    const done = await complete.run({ number: inspection.number, note: note.trim() ? note.trim() : null });
    if (done) onCompleted();
  };
  const errorFor = (code: string) => {
    const at = sent.current.indexOf(code);
    return at < 0 ? undefined : fieldError(record.error, `results.${at}`, lang);
  };

  return (
    <form className="qc-section" onSubmit={onSave} aria-label={t('quality.results')}>
      <h3>{t('quality.results')}</h3>
      <div className="qc-params">
        {rows.map(({ p, draft, saved, typed, invalid, verdict, dirty: changed }) => {
          const label = `${pname(p)}${p.unit ? `, ${p.unit}` : ''}`;
          const bits = [
            p.kind === 'numeric' ? t('quality.norm', { range: limits(p.min_value, p.max_value, p.unit) }) : null,
            p.required === 1 ? t('quality.required') : t('quality.optional'),
            saved !== undefined && typed === undefined && !invalid ? t('quality.clearedKept', { value: show(p, saved) }) : null,
            changed ? t('quality.unsaved') : saved !== undefined && typed !== undefined ? t('quality.saved', { value: show(p, saved) }) : null,
          ].filter(Boolean);
          return (
            <div key={p.id} className={`qc-param qc-param-${verdict ?? (p.required ? 'missing' : 'empty')}`} data-parameter={p.code}>
              <Field label={label} error={invalid ? t('quality.invalidNumber') : errorFor(p.code)} hint={bits.join(' · ')}>
                {(id) =>
                  p.kind === 'pass_fail' ? (
                    <PassFail id={id} label={label} name={`${inspection.number}-${p.code}`} value={draft as boolean | null} onChange={(v) => setDrafts((d) => ({ ...d, [p.code]: v }))} />
                  ) : (
                    <TextInput
                      id={id}
                      value={draft as string}
                      onChange={(v) => setDrafts((d) => ({ ...d, [p.code]: v }))}
                      inputMode={p.kind === 'numeric' ? 'decimal' : 'text'}
                      className={p.kind === 'numeric' ? 'qc-number' : undefined}
                      autoComplete="off"
                      maxLength={2000}
                    />
                  )
                }
              </Field>
              <div className="qc-verdict">
                {verdict ? <Status value={verdict} /> : p.required === 1 ? <span className="status status-incomplete">{t('quality.notEntered')}</span> : <span className="muted">—</span>}
              </div>
            </div>
          );
        })}
      </div>
      <div className={`qc-overall qc-overall-${overall}`} role="status" aria-live="polite" data-testid="qc-overall">
        <span className="qc-overall-label">{t('quality.overall')}:</span> <Status value={overall} />
        {failing.length ? <span> · {t('quality.failing', { list: failing.join(', ') })}</span> : null}
        {missing.length ? <span> · {t('quality.missing', { list: missing.join(', ') })}</span> : null}
      </div>
      <Field label={t('quality.completeNote')} error={fieldError(complete.error, 'note', lang)} wide>
        {(id) => <TextInput id={id} value={note} onChange={setNote} maxLength={1000} />}
      </Field>
      <ErrorBanner error={record.error} shownFields={sent.current.map((_, i) => `results.${i}`)} />
      <ErrorBanner error={complete.error} shownFields={['note']} />
      {message ? (
        <div className="banner banner-ok" role="status">
          {message}
        </div>
      ) : null}
      <div className="actions">
        <Button type="submit" pending={record.pending && !complete.pending} disabled={dirty.length === 0 || anyInvalid} title={dirty.length === 0 ? t('quality.nothingToSave') : undefined}>
          {t('quality.save')}
        </Button>
        <Button kind="primary" type="button" onClick={onComplete} pending={complete.pending} disabled={anyInvalid || record.pending} title={t('quality.completeHint')}>
          {t('quality.complete')}
        </Button>
      </div>
    </form>
  );
}

/** Pass / fail as two big radio buttons (arrow keys switch, Space picks). */
function PassFail({ id, label, name, value, onChange }: { id: string; label: string; name: string; value: boolean | null; onChange(v: boolean): void }) {
  const { t } = useTranslation();
  return (
    <div id={id} role="radiogroup" aria-label={label} className="qc-pf">
      <label className={`qc-pf-option qc-pf-pass${value === true ? ' qc-pf-on' : ''}`}>
        <input type="radio" name={name} checked={value === true} onChange={() => onChange(true)} />
        <span aria-hidden="true">✓</span> {t('quality.pass')}
      </label>
      <label className={`qc-pf-option qc-pf-fail${value === false ? ' qc-pf-on' : ''}`}>
        <input type="radio" name={name} checked={value === false} onChange={() => onChange(false)} />
        <span aria-hidden="true">✗</span> {t('quality.fail')}
      </label>
    </div>
  );
}

/** The recorded results as signed: value, the limits it was judged against, verdict. */
function ResultsRecord({ inspection }: { inspection: Inspection }) {
  const { t, i18n } = useTranslation();
  const num = useNumber();
  const limits = useLimits();
  const lang = i18n.language;
  const value = (r: ResultView) =>
    r.value_num !== null ? `${num(r.value_num)}${r.unit ? ` ${r.unit}` : ''}` : r.value_bool !== null ? (r.value_bool === 1 ? t('quality.pass') : t('quality.fail')) : (r.value_text ?? '—');
  const columns: Column<ResultView>[] = [
    {
      key: 'parameter',
      header: t('quality.col.parameter'),
      render: (r) => (
        <span title={r.parameter_active ? (lang === 'en' ? r.parameter_name_en : r.parameter_name_ru) : t('quality.dropped')} className={r.parameter_active ? undefined : 'qc-dropped'}>
          {lang === 'en' ? r.parameter_name_en : r.parameter_name_ru}
        </span>
      ),
    },
    { key: 'value', header: t('quality.col.value'), width: '8.5rem', align: 'right', render: (r) => <span title={value(r)}>{value(r)}</span> },
    { key: 'limits', header: t('quality.col.limits'), width: '7.5rem', render: (r) => (r.value_num !== null ? limits(r.min_value, r.max_value, r.unit) : '—') },
    { key: 'verdict', header: t('quality.col.verdict'), width: '9rem', render: (r) => <Status value={r.verdict} /> },
    { key: 'source', header: t('quality.col.source'), width: '5.5rem', render: (r) => <span title={dateTime(r.recorded_at)}>{t(`quality.resultSource.${r.source}`, { defaultValue: r.source })}</span> },
  ];
  return (
    <div className="qc-section">
      <h3>{t('quality.results')}</h3>
      <DataTable label={t('quality.results')} columns={columns} rows={inspection.results} rowKey={(r) => r.id} height={fit(inspection.results.length, 8)} />
      {inspection.note ? (
        <p>
          {t('quality.completeNote')}: {inspection.note}
        </p>
      ) : null}
    </div>
  );
}

function CompletedOutcome({ inspection, lot, highlight }: { inspection: Inspection; lot: Lot | undefined; highlight: boolean }) {
  const { t } = useTranslation();
  if (!inspection.verdict) return null;
  const decide = lot ? deciding(lot.origin) : null;
  const hints: string[] = [];
  if (lot && inspection.verdict === 'pass' && lot.status !== 'released') {
    if (decide !== inspection.stage) hints.push(t('quality.notDeciding', { stage: t(`quality.stage.${decide}`) }));
    else if (lot.status === 'blocked' && lot.status_source === 'manual') hints.push(t('quality.heldByHand'));
    else hints.push(t('quality.heldByOther'));
  }
  return (
    <div className={`banner ${inspection.verdict === 'pass' ? 'banner-ok' : 'banner-error'} qc-outcome${highlight ? ' qc-outcome-new' : ''}`} role="status">
      <strong>{t('quality.completedBanner', { number: inspection.number, verdict: t(`status.${inspection.verdict}`) })}</strong>{' '}
      {lot ? t('quality.lotBecame', { code: lot.code, status: t(`status.${lot.status}`) }) : null}
      {hints.map((h) => (
        <div key={h}>{h}</div>
      ))}
    </div>
  );
}

function Verification({ inspection }: { inspection: Inspection }) {
  const { t } = useTranslation();
  const { me, can } = useSession();
  const verify = useMutation('inspections.verify');
  if (inspection.verifier_id !== null) {
    return <div className="banner banner-ok">{t('quality.verifiedBy', { who: inspection.verifier ?? '', at: dateTime(inspection.verified_at) })}</div>;
  }
  const involved = inspection.inspector_id === me.user.id || inspection.results.some((r) => r.recorded_by === me.user.id);
  return (
    <div className="qc-section qc-verify">
      <p className="muted">{t('quality.notVerified')}</p>
      {can('quality.verify') && inspection.site_id === me.site.id ? (
        <>
          {involved ? <div className="banner banner-warn">{t('quality.ownInspection')}</div> : <p className="field-hint">{t('quality.verifyHint')}</p>}
          <ErrorBanner error={verify.error} />
          <div className="actions">
            <Button kind="primary" pending={verify.pending} disabled={involved} onClick={() => void verify.run({ number: inspection.number })}>
              {t('quality.verify')}
            </Button>
          </div>
        </>
      ) : null}
    </div>
  );
}
