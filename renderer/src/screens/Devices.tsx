// «Настройки → Устройства»: the devices of this PC — scales, scanners, lab instruments,
// temperature sensors, label printers. The list shows each one's live connection state and last
// reading; the form walks kind → protocol → connection → options, with the contract's refusals
// next to the field they name (options.maxGrams, connection.path, options.channels.0.address…).
// "Test" opens the device with the unsaved settings for a few seconds and shows what it sent or
// why it could not; a saved device shows its live readings, a saved printer its print jobs.
import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import {
  LAB_LINE_PRESET_KEYS,
  LAB_LINE_PRESETS,
  SENSOR_PRESET_KEYS,
  SENSOR_PRESETS,
  sensorPresetChannels,
  type LabLinePresetKey,
  type SensorPresetKey,
} from '../../../main/contract/device-presets';
import type { OperationError } from '../../../main/contract/errors';
import {
  CONNECTIONS_BY_PROTOCOL,
  DEFAULT_BAUD,
  DEVICE_KINDS,
  LABEL_TEXT_MODES as TEXT_AS,
  PROTOCOLS_BY_KIND,
  type Connection,
  type DeviceKind,
  type DeviceProtocol,
  type LabelTextMode as TextAs,
  type LabResultEvent,
  type PortInfo,
  type PrintJob,
  type ScanEvent,
  type SensorSampleEvent,
  type WeightEvent,
} from '../../../main/contract/devices';
import type { OperationOutput } from '../../../main/contract/operations';
import { useDeviceEvent, useDevices, useDeviceStatus, type DeviceRow } from '../api/devices';
import { useMutation, useQuery } from '../api/hooks';
import { DataTable, type Column } from '../components/DataTable';
import { Button, Check, ErrorBanner, Field, fieldError, KgInput, SelectInput, TextInput, errorText } from '../components/forms';
import { dateTime, kg, parseKg, sensorValue } from '../format';
import { kgInput } from './lotParts';
import { WEDGE_GAP_KEY } from '../components/ScanCapture';
import { WEDGE_GAP_RANGE, wedgeGapFrom } from '../components/scanWedge';

type ConnType = Connection['type'];
type TestResult = OperationOutput<'devices.test'>;
type Lang = 'ru' | 'en';

// ── the form ────────────────────────────────────────────────────────────────────────────────

interface ChannelForm {
  quantity: 'temperature' | 'humidity';
  unitId: string;
  fn: '3' | '4';
  address: string;
  type: 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32';
  wordOrder: 'big' | 'little';
  scale: string;
  offset: string;
}

interface DeviceForm {
  code: string;
  name: string;
  kind: DeviceKind;
  protocol: DeviceProtocol;
  active: boolean;
  connType: ConnType;
  /** Serial port, hidraw or printer device file. */
  path: string;
  baudRate: string;
  dataBits: '7' | '8';
  parity: 'none' | 'even' | 'odd';
  stopBits: '1' | '2';
  host: string;
  port: string;
  vendorId: string;
  productId: string;
  scale: { minKg: string; maxKg: string; pollMs: string; stream: boolean; checksum: boolean; password: string; staleMs: string };
  sensor: { pollMs: string; timeoutMs: string; location: string; equipment: string; tempMin: string; tempMax: string; alertDelayMin: string; channels: ChannelForm[] };
  printer: { dpi: '203' | '300'; widthMm: string; heightMm: string; gapMm: string; cjkFont: string; textAs: '' | TextAs };
  lab: { sampleId: 'inspection' | 'lot'; testCodes: { from: string; to: string }[]; preset: LabPreset; command: string; pattern: string; unit: string; testCode: string; intervalMs: string };
}

type LabPreset = LabLinePresetKey | 'custom';
type ProfileForm = Pick<DeviceForm['lab'], 'command' | 'pattern' | 'unit' | 'testCode' | 'intervalMs'>;
const PROFILE_FIELDS = ['command', 'pattern', 'unit', 'testCode', 'intervalMs'] as const satisfies readonly (keyof ProfileForm)[];

/** The preset (main/contract/device-presets.ts) a profile still is, or 'custom' once changed. */
function presetOf(profile: ProfileForm): LabPreset {
  const same = LAB_LINE_PRESET_KEYS.find((key) => {
    const preset = profileForm(LAB_LINE_PRESETS[key].profile);
    return PROFILE_FIELDS.every((k) => profile[k] === preset[k]);
  });
  return same ?? 'custom';
}

const POLLED: readonly DeviceProtocol[] = ['mt-sics', 'massa-k', 'shtrih'];
const BAUDS = ['1200', '2400', '4800', '9600', '19200', '38400', '57600', '115200'];

function blankForm(): DeviceForm {
  return withProtocol(
    {
      code: '',
      name: '',
      kind: 'scale',
      protocol: 'mt-sics',
      active: true,
      connType: 'serial',
      path: '',
      baudRate: '9600',
      dataBits: '8',
      parity: 'none',
      stopBits: '1',
      host: '',
      port: '',
      vendorId: '',
      productId: '',
      scale: { minKg: kgInput(20), maxKg: kgInput(600_000), pollMs: '250', stream: false, checksum: true, password: '0030', staleMs: '2000' },
      sensor: { pollMs: '10000', timeoutMs: '1000', location: '', equipment: '', tempMin: '', tempMax: '', alertDelayMin: '5', channels: sensorPresetChannels('xy-md02').map(channelForm) },
      printer: { dpi: '203', widthMm: '100', heightMm: '150', gapMm: '3', cjkFont: '', textAs: '' },
      lab: { sampleId: 'lot', testCodes: [], preset: 'sartorius-ma', ...profileForm(LAB_LINE_PRESETS['sartorius-ma'].profile) },
    },
    'mt-sics',
  );
}

/** A protocol with its defaults: a connection it can use, its manual's baud rate, a printer's raw port. */
function withProtocol(f: DeviceForm, protocol: DeviceProtocol): DeviceForm {
  const allowed = CONNECTIONS_BY_PROTOCOL[protocol];
  const connType = allowed.includes(f.connType) ? f.connType : allowed[0]!;
  const printer = PROTOCOLS_BY_KIND.printer.some((p) => p === protocol);
  return { ...f, protocol, connType, baudRate: String(DEFAULT_BAUD[protocol] || 9600), port: f.port || (printer ? '9100' : '') };
}

const str = (v: unknown, fallback = ''): string => (v === undefined || v === null ? fallback : String(v));
const hex4 = (v: unknown): string => (typeof v === 'number' ? `0x${v.toString(16).padStart(4, '0')}` : '');

/** A sensor channel — saved, or of a preset — as the form edits it. */
function channelForm(ch: Record<string, unknown>): ChannelForm {
  return {
    quantity: str(ch.quantity, 'temperature') as ChannelForm['quantity'],
    unitId: str(ch.unitId, '1'),
    fn: str(ch.function, '4') as ChannelForm['fn'],
    address: str(ch.address),
    type: str(ch.type, 'int16') as ChannelForm['type'],
    wordOrder: str(ch.wordOrder, 'big') as ChannelForm['wordOrder'],
    scale: str(ch.scale, '0.1'),
    offset: str(ch.offset, '0'),
  };
}

/** A lab-line profile — saved, or of a preset — as the form edits it. */
function profileForm(p: Record<string, unknown>): ProfileForm {
  return { command: str(p.command), pattern: str(p.pattern), unit: str(p.unit), testCode: str(p.testCode), intervalMs: str(p.intervalMs, '5000') };
}

function fromRow(row: DeviceRow): DeviceForm {
  const c = row.connection_config;
  const o = row.options_config;
  const blank = blankForm();
  const form: DeviceForm = { ...blank, code: row.code, name: row.name, kind: row.kind, protocol: row.protocol, active: row.active === 1, connType: str(c.type, 'serial') as ConnType };
  form.path = str(c.path);
  form.baudRate = str(c.baudRate, blank.baudRate);
  form.dataBits = str(c.dataBits, '8') as DeviceForm['dataBits'];
  form.parity = str(c.parity, 'none') as DeviceForm['parity'];
  form.stopBits = str(c.stopBits, '1') as DeviceForm['stopBits'];
  form.host = str(c.host);
  form.port = str(c.port);
  form.vendorId = hex4(c.vendorId);
  form.productId = hex4(c.productId);
  if (row.kind === 'scale') {
    form.scale = {
      minKg: typeof o.minGrams === 'number' ? kgInput(o.minGrams) : blank.scale.minKg,
      maxKg: typeof o.maxGrams === 'number' ? kgInput(o.maxGrams) : blank.scale.maxKg,
      pollMs: str(o.pollMs, blank.scale.pollMs),
      stream: o.stream === true,
      checksum: o.checksum !== false,
      password: str(o.password, blank.scale.password),
      staleMs: str(o.staleMs, blank.scale.staleMs),
    };
  } else if (row.kind === 'sensor') {
    const channels = Array.isArray(o.channels) ? (o.channels as Record<string, unknown>[]) : [];
    form.sensor = {
      pollMs: str(o.pollMs, blank.sensor.pollMs),
      timeoutMs: str(o.timeoutMs, blank.sensor.timeoutMs),
      location: str(o.location),
      equipment: str(o.equipment),
      tempMin: str(o.tempMin),
      tempMax: str(o.tempMax),
      alertDelayMin: typeof o.alertDelayMs === 'number' ? String(o.alertDelayMs / 60_000) : blank.sensor.alertDelayMin,
      channels: channels.map(channelForm),
    };
  } else if (row.kind === 'printer') {
    form.printer = {
      dpi: str(o.dpi, '203') as DeviceForm['printer']['dpi'],
      widthMm: str(o.widthMm, blank.printer.widthMm),
      heightMm: str(o.heightMm, blank.printer.heightMm),
      gapMm: str(o.gapMm, blank.printer.gapMm),
      cjkFont: str(o.cjkFont),
      textAs: TEXT_AS.includes(o.textAs as TextAs) ? (o.textAs as TextAs) : '',
    };
  } else {
    const profile = o.profile ? profileForm(o.profile as Record<string, unknown>) : null;
    const codes = (o.testCodes ?? {}) as Record<string, string>;
    form.lab = {
      ...blank.lab,
      ...(profile ? { ...profile, preset: presetOf(profile) } : {}),
      sampleId: str(o.sampleId, 'lot') as DeviceForm['lab']['sampleId'],
      testCodes: Object.entries(codes).map(([from, to]) => ({ from, to })),
    };
  }
  return form;
}

/**
 * A typed number → number; blank → `blank` (undefined: the contract's default). Anything else is
 * sent as typed, so the contract refuses it next to its field instead of us guessing.
 */
function num(v: string, blank: null | undefined = undefined): number | string | null | undefined {
  const s = v.trim().replace(',', '.').replace('−', '-');
  if (s === '') return blank;
  const n = Number(s);
  return Number.isFinite(n) ? n : v;
}
/** "0x0C2E" or "0C2E" (USB ids are written in hex) → number. */
function hex(v: string): number | string | undefined {
  const s = v.trim();
  if (s === '') return undefined;
  return /^(0x)?[0-9a-f]{1,4}$/i.test(s) ? parseInt(s.replace(/^0x/i, ''), 16) : v;
}
function grams(v: string): number | string | undefined {
  return v.trim() === '' ? undefined : (parseKg(v) ?? v);
}
/** Spaces and tabs off both ends; a command keeps the line end its preset gave it (Hanna: `PH?\r`). */
function trimBlanks(v: string): string {
  return v.replace(/^[ \t]+|[ \t]+$/g, '');
}
/** The object without its undefined entries (left to the contract's defaults). */
function defined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function connectionInput(f: DeviceForm): Record<string, unknown> {
  switch (f.connType) {
    case 'serial':
      return defined({ type: 'serial', path: f.path.trim(), baudRate: num(f.baudRate), dataBits: Number(f.dataBits), parity: f.parity, stopBits: Number(f.stopBits) });
    case 'tcp':
      return defined({ type: 'tcp', host: f.host.trim(), port: num(f.port) });
    case 'hid':
      return defined({ type: 'hid', vendorId: hex(f.vendorId), productId: hex(f.productId), path: f.path.trim() || undefined });
    case 'lp':
      return { type: 'lp', path: f.path.trim() };
  }
}

function optionsInput(f: DeviceForm): Record<string, unknown> {
  switch (f.kind) {
    case 'scale': {
      const s = f.scale;
      return defined({
        pollMs: POLLED.includes(f.protocol) ? num(s.pollMs) : undefined,
        stream: f.protocol === 'mt-sics' ? s.stream : undefined,
        checksum: f.protocol === 'toledo' ? s.checksum : undefined,
        password: f.protocol === 'shtrih' ? s.password.trim() : undefined,
        minGrams: grams(s.minKg),
        maxGrams: grams(s.maxKg),
        staleMs: num(s.staleMs),
      });
    }
    case 'scanner':
      return {};
    case 'sensor': {
      const s = f.sensor;
      const delay = num(s.alertDelayMin);
      return defined({
        pollMs: num(s.pollMs),
        timeoutMs: num(s.timeoutMs),
        location: s.location || null,
        equipment: s.equipment || null,
        tempMin: num(s.tempMin, null),
        tempMax: num(s.tempMax, null),
        alertDelayMs: typeof delay === 'number' ? Math.round(delay * 60_000) : delay,
        channels: s.channels.map((c) =>
          defined({ quantity: c.quantity, unitId: num(c.unitId), function: Number(c.fn), address: num(c.address), type: c.type, wordOrder: c.wordOrder, scale: num(c.scale), offset: num(c.offset) }),
        ),
      });
    }
    case 'printer': {
      const p = f.printer;
      return defined({ dpi: Number(p.dpi), widthMm: num(p.widthMm), heightMm: num(p.heightMm), gapMm: num(p.gapMm), cjkFont: p.cjkFont.trim() || undefined, textAs: p.textAs || undefined });
    }
    case 'lab': {
      const l = f.lab;
      return defined({
        sampleId: l.sampleId,
        testCodes: Object.fromEntries(l.testCodes.filter((r) => r.from.trim()).map((r) => [r.from.trim(), r.to.trim()])),
        profile:
          f.protocol === 'lab-line'
            ? defined({ command: trimBlanks(l.command) || undefined, pattern: l.pattern, unit: l.unit.trim(), testCode: l.testCode.trim(), intervalMs: num(l.intervalMs) })
            : undefined,
      });
    }
  }
}

function toInput(f: DeviceForm) {
  return { code: f.code.trim(), name: f.name.trim(), protocol: f.protocol, connection: connectionInput(f), options: optionsInput(f), active: f.active ? 1 : 0 };
}

/** "serial /dev/ttyUSB0 9600 8N1", "tcp 10.0.0.5:9100"… for the list. */
function connectionSummary(c: Record<string, unknown>): string {
  switch (c.type) {
    case 'serial':
      return `${str(c.path)} · ${str(c.baudRate)} ${str(c.dataBits)}${str(c.parity).charAt(0).toUpperCase()}${str(c.stopBits)}`;
    case 'tcp':
      return `${str(c.host)}:${str(c.port)}`;
    case 'hid':
      return `HID ${hex4(c.vendorId)}:${hex4(c.productId)}${c.path ? ` · ${str(c.path)}` : ''}`;
    default:
      return str(c.path);
  }
}

// ── what arrives from devices: the latest of each kind, per device ─────────────────────────

interface Latest {
  weight?: WeightEvent;
  scan?: ScanEvent;
  lab?: LabResultEvent;
  sample?: Partial<Record<SensorSampleEvent['quantity'], SensorSampleEvent>>;
}

function useLatestReadings(): ReadonlyMap<string, Latest> {
  const [latest, setLatest] = useState<ReadonlyMap<string, Latest>>(() => new Map());
  const put = (device: string, patch: (l: Latest) => Latest) => setLatest((m) => new Map(m).set(device, patch(m.get(device) ?? {})));
  useDeviceEvent('device.weight', (e) => put(e.device, (l) => ({ ...l, weight: e })));
  useDeviceEvent('device.scan', (e) => put(e.device, (l) => ({ ...l, scan: e })));
  useDeviceEvent('device.lab', (e) => put(e.device, (l) => ({ ...l, lab: e })));
  useDeviceEvent('device.sample', (e) => put(e.device, (l) => ({ ...l, sample: { ...l.sample, [e.quantity]: e } })));
  return latest;
}

function useReadingText() {
  const { t } = useTranslation();
  return {
    weight: (w: WeightEvent) =>
      `${w.grams !== null ? `${kg(w.grams)} ${t('common.kg')}` : t(`devices.weightStatus.${w.status}`)} · ${w.stable ? t('devices.weight.stable') : t('devices.weight.notStable')}`,
    scan: (s: ScanEvent) => s.raw,
    lab: (r: LabResultEvent) => `${r.sampleId}: ${r.testCode} = ${r.value} ${r.unit}`,
    sample: (s: SensorSampleEvent) => (s.value === null ? `${t(`devices.quantity.${s.quantity}`)}: ${s.error ?? '—'}` : sensorValue(s.value, s.quantity)),
  };
}

function latestText(l: Latest | undefined, text: ReturnType<typeof useReadingText>): string {
  if (!l) return '';
  const samples = Object.values(l.sample ?? {}).map(text.sample);
  const parts = [l.weight && text.weight(l.weight), l.scan && text.scan(l.scan), l.lab && text.lab(l.lab), samples.length ? samples.join(' · ') : undefined];
  return parts.filter(Boolean).join(' · ');
}

// ── the tab ─────────────────────────────────────────────────────────────────────────────────

export function DevicesTab() {
  const { t, i18n } = useTranslation();
  const devices = useDevices();
  const { statuses, error: statusError } = useDeviceStatus();
  const latest = useLatestReadings();
  const text = useReadingText();
  const [editing, setEditing] = useState<DeviceRow | null>(null);
  const [formKey, setFormKey] = useState(0);

  const columns: Column<DeviceRow>[] = [
    { key: 'code', header: t('devices.col.code'), width: '9.5rem', render: (d) => <span className="lp-mono">{d.code}</span> },
    { key: 'name', header: t('devices.col.name'), width: 'minmax(10rem, 1.2fr)', render: (d) => (d.active ? d.name : `${d.name} (${t('settings.inactive')})`) },
    { key: 'kind', header: t('devices.col.kind'), width: '10rem', render: (d) => t(`devices.kind.${d.kind}`) },
    { key: 'protocol', header: t('devices.col.protocol'), width: '10rem', render: (d) => t(`devices.protocol.${d.protocol}`) },
    { key: 'connection', header: t('devices.col.connection'), width: 'minmax(10rem, 1.2fr)', render: (d) => <span title={connectionSummary(d.connection_config)}>{connectionSummary(d.connection_config)}</span> },
    { key: 'state', header: t('devices.col.state'), width: '7.5rem', render: (d) => <StateBadge state={statuses.get(d.code)?.state} /> },
    {
      key: 'reading',
      header: t('devices.col.reading'),
      width: 'minmax(9rem, 1fr)',
      render: (d) => {
        const reading = latestText(latest.get(d.code), text);
        const at = statuses.get(d.code)?.lastReadingAt;
        return <span title={reading}>{reading || (at ? dateTime(at) : '—')}</span>;
      },
    },
  ];
  const open = (row: DeviceRow | null) => {
    setEditing(row);
    setFormKey((k) => k + 1);
  };

  return (
    <div className="dv-tab">
      <div className="set-list">
        <div className="toolbar">
          <Button kind="primary" onClick={() => open(null)}>
            {t('devices.new')}
          </Button>
          <span className="muted dv-pc-note">{t('devices.thisPc')}</span>
        </div>
        <ErrorBanner error={devices.error} />
        {statusError ? <div className="banner banner-warn">{errorText(statusError, i18n.language)}</div> : null}
        <DataTable
          columns={columns}
          rows={devices.rows}
          rowKey={(d) => d.id}
          label={t('devices.list')}
          onActivate={(d) => open(d)}
          height={Math.max(3, Math.min(devices.rows.length, 10)) * 36 + 2}
          testId="devices-table"
        />
      </div>
      <DeviceEditor key={formKey} row={editing} onSaved={(row) => setEditing(row)} latest={editing ? latest.get(editing.code) : undefined} />
      <WedgeSettings />
    </div>
  );
}

/** Keyboard-wedge scanners are told from typists by the gap between keys; slow scanners need a wider one. */
function WedgeSettings() {
  const { t } = useTranslation();
  const [gap, setGap] = useState(() => String(wedgeGapFrom(localStorage.getItem(WEDGE_GAP_KEY))));
  const [saved, setSaved] = useState(false);
  const valid = wedgeGapFrom(gap) === Number(gap);
  const save = (event: FormEvent) => {
    event.preventDefault();
    if (!valid) return;
    localStorage.setItem(WEDGE_GAP_KEY, gap);
    setSaved(true);
  };
  return (
    <form className="card dv-wedge" onSubmit={save} aria-labelledby="dv-wedge-title" noValidate>
      <h3 id="dv-wedge-title">{t('devices.wedge.title')}</h3>
      <p className="muted">{t('devices.wedge.about')}</p>
      <Field
        label={t('devices.wedge.gap')}
        hint={t('devices.wedge.gapHint', WEDGE_GAP_RANGE)}
        error={valid ? undefined : t('devices.wedge.range', WEDGE_GAP_RANGE)}
      >
        {(id) => (
          <TextInput
            id={id}
            inputMode="numeric"
            value={gap}
            onChange={(v) => {
              setGap(v.trim());
              setSaved(false);
            }}
          />
        )}
      </Field>
      <div className="toolbar">
        <Button type="submit" disabled={!valid}>
          {t('devices.wedge.save')}
        </Button>
        {saved ? <span className="muted">{t('devices.wedge.saved')}</span> : null}
      </div>
    </form>
  );
}

function StateBadge({ state }: { state: string | undefined }) {
  const { t } = useTranslation();
  if (!state) return <span className="muted">—</span>;
  return <span className={`status dv-state dv-state-${state}`}>{t(`devices.state.${state}`)}</span>;
}

function DeviceEditor({ row, onSaved, latest }: { row: DeviceRow | null; onSaved(row: DeviceRow): void; latest: Latest | undefined }) {
  const { t, i18n } = useTranslation();
  const lang: Lang = i18n.language === 'en' ? 'en' : 'ru';
  const [form, setForm] = useState<DeviceForm>(() => (row ? fromRow(row) : blankForm()));
  const [saved, setSaved] = useState<string>();
  const [tested, setTested] = useState<TestResult>();
  const save = useMutation('devices.save');
  const test = useMutation('devices.test');
  const editing = row !== null;

  const update = (patch: Partial<DeviceForm> | ((f: DeviceForm) => DeviceForm)) => {
    setForm((f) => (typeof patch === 'function' ? patch(f) : { ...f, ...patch }));
    setSaved(undefined);
  };
  /** The field's refusal from saving, else from testing (where the device sits under `device.`). */
  const err = (path: string) => fieldError(save.error, path, lang) ?? fieldError(test.error, `device.${path}`, lang);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    test.clear();
    const result = await save.run(toInput(form));
    if (result) {
      setSaved(result.code);
      onSaved(result);
    }
  };
  const runTest = async () => {
    save.clear();
    setTested(undefined);
    const result = await test.run({ device: toInput(form), durationMs: 3_000 });
    if (result) setTested(result);
  };

  const protocols = PROTOCOLS_BY_KIND[form.kind];
  const shown = ['code', 'name', 'protocol', 'connection', 'options', 'active'];

  return (
    <div className="dv-editor">
      <form className="card set-form" onSubmit={submit} aria-labelledby="device-form-title" noValidate>
        <h2 id="device-form-title">{editing ? t('devices.edit', { code: row.code }) : t('devices.new')}</h2>
        <div className="grid-2">
          <Field label={t('devices.code')} error={err('code')} hint={editing ? t('settings.codeLocked') : t('devices.codeHint')}>
            {(id) => <TextInput id={id} value={form.code} onChange={(v) => update({ code: v.toUpperCase() })} readOnly={editing} required maxLength={40} autoComplete="off" />}
          </Field>
          <Field label={t('devices.name')} error={err('name')}>
            {(id) => <TextInput id={id} value={form.name} onChange={(v) => update({ name: v })} required maxLength={200} />}
          </Field>
          <Field label={t('devices.kindField')}>
            {(id) => (
              <SelectInput
                id={id}
                value={form.kind}
                onChange={(v) => v && update((f) => withProtocol({ ...f, kind: v as DeviceKind }, PROTOCOLS_BY_KIND[v as DeviceKind][0]))}
                options={DEVICE_KINDS.map((k) => ({ value: k, label: t(`devices.kind.${k}`) }))}
                disabled={editing}
                required
              />
            )}
          </Field>
          <Field label={t('devices.protocolField')} error={err('protocol')}>
            {(id) => (
              <SelectInput
                id={id}
                value={form.protocol}
                onChange={(v) => v && update((f) => withProtocol(f, v as DeviceProtocol))}
                options={protocols.map((p) => ({ value: p, label: t(`devices.protocol.${p}`) }))}
                required
              />
            )}
          </Field>
        </div>

        <fieldset className="set-fieldset">
          <legend>{t('devices.connection')}</legend>
          <ConnectionFields form={form} update={update} err={err} lang={lang} />
        </fieldset>

        <fieldset className="set-fieldset">
          <legend>{t('devices.options')}</legend>
          {form.kind === 'scale' ? <ScaleFields form={form} update={update} err={err} /> : null}
          {form.kind === 'scanner' ? <ScannerFields protocol={form.protocol} /> : null}
          {form.kind === 'sensor' ? <SensorFields form={form} update={update} err={err} lang={lang} /> : null}
          {form.kind === 'printer' ? <PrinterFields form={form} update={update} err={err} /> : null}
          {form.kind === 'lab' ? <LabFields form={form} update={update} err={err} lang={lang} /> : null}
        </fieldset>

        <Check label={t('devices.active')} checked={form.active} onChange={(v) => update({ active: v })} />
        <ErrorBanner error={save.error} shownFields={shown} />
        <ErrorBanner error={test.error} shownFields={shown.map((f) => `device.${f}`)} />
        {saved ? (
          <div className="banner banner-ok" role="status">
            {t('devices.saved', { code: saved })}
          </div>
        ) : null}
        <div className="actions">
          <Button type="button" pending={test.pending} disabled={save.pending} onClick={() => void runTest()}>
            {t('devices.test')}
          </Button>
          <Button kind="primary" type="submit" pending={save.pending} disabled={test.pending}>
            {t('common.save')}
          </Button>
        </div>
      </form>
      <div className="dv-side">
        {tested ? <TestReport result={tested} lang={lang} /> : null}
        {row ? <LivePanel device={row} latest={latest} lang={lang} /> : null}
        {row?.kind === 'printer' ? <PrintPanel device={row.code} lang={lang} /> : null}
      </div>
    </div>
  );
}

type Update = (patch: Partial<DeviceForm> | ((f: DeviceForm) => DeviceForm)) => void;
type Err = (path: string) => string | undefined;

/** A number input that keeps what was typed (the contract judges it). */
function NumberField({ label, value, onChange, error, hint }: { label: string; value: string; onChange(v: string): void; error: string | undefined; hint?: string }) {
  return (
    <Field label={label} error={error} {...(hint ? { hint } : {})}>
      {(id) => <TextInput id={id} value={value} onChange={onChange} inputMode="decimal" autoComplete="off" className="num" />}
    </Field>
  );
}

// ── connection ──────────────────────────────────────────────────────────────────────────────

function ConnectionFields({ form, update, err, lang }: { form: DeviceForm; update: Update; err: Err; lang: Lang }) {
  const { t } = useTranslation();
  const types = CONNECTIONS_BY_PROTOCOL[form.protocol];
  return (
    <div className="dv-connection">
      <div className="grid-2">
        <Field label={t('devices.connType')} error={err('connection.type')}>
          {(id) => (
            <SelectInput id={id} value={form.connType} onChange={(v) => v && update({ connType: v as ConnType })} options={types.map((c) => ({ value: c, label: t(`devices.conn.${c}`) }))} required />
          )}
        </Field>
        {form.connType === 'tcp' ? (
          <>
            <Field label={t('devices.host')} error={err('connection.host')}>
              {(id) => <TextInput id={id} value={form.host} onChange={(v) => update({ host: v })} autoComplete="off" spellCheck={false} className="lp-mono" />}
            </Field>
            <NumberField label={t('devices.tcpPort')} value={form.port} onChange={(v) => update({ port: v })} error={err('connection.port')} />
          </>
        ) : form.connType === 'hid' ? (
          <>
            <Field label={t('devices.vendorId')} error={err('connection.vendorId')} hint="0x0C2E">
              {(id) => <TextInput id={id} value={form.vendorId} onChange={(v) => update({ vendorId: v })} autoComplete="off" className="lp-mono" />}
            </Field>
            <Field label={t('devices.productId')} error={err('connection.productId')} hint="0x0B61">
              {(id) => <TextInput id={id} value={form.productId} onChange={(v) => update({ productId: v })} autoComplete="off" className="lp-mono" />}
            </Field>
            <Field label={t('devices.hidPath')} error={err('connection.path')} hint={t('devices.hidPathHint')}>
              {(id) => <TextInput id={id} value={form.path} onChange={(v) => update({ path: v })} autoComplete="off" spellCheck={false} className="lp-mono" />}
            </Field>
          </>
        ) : (
          <Field label={form.connType === 'lp' ? t('devices.lpPath') : t('devices.port')} error={err('connection.path')} hint={form.connType === 'lp' ? '/dev/usb/lp0' : t('devices.portHint')}>
            {(id) => <TextInput id={id} value={form.path} onChange={(v) => update({ path: v })} autoComplete="off" spellCheck={false} className="lp-mono" />}
          </Field>
        )}
      </div>
      {form.connType === 'serial' ? (
        <div className="grid-4">
          <Field label={t('devices.baudRate')} error={err('connection.baudRate')} hint={t('devices.baudDefault', { baud: DEFAULT_BAUD[form.protocol] })}>
            {(id) => <SelectInput id={id} value={form.baudRate} onChange={(v) => v && update({ baudRate: v })} options={BAUDS.map((b) => ({ value: b, label: b }))} />}
          </Field>
          <Field label={t('devices.dataBits')} error={err('connection.dataBits')}>
            {(id) => <SelectInput id={id} value={form.dataBits} onChange={(v) => v && update({ dataBits: v as DeviceForm['dataBits'] })} options={['8', '7'].map((b) => ({ value: b, label: b }))} />}
          </Field>
          <Field label={t('devices.parity')} error={err('connection.parity')}>
            {(id) => (
              <SelectInput
                id={id}
                value={form.parity}
                onChange={(v) => v && update({ parity: v as DeviceForm['parity'] })}
                options={(['none', 'even', 'odd'] as const).map((p) => ({ value: p, label: t(`devices.parityValue.${p}`) }))}
              />
            )}
          </Field>
          <Field label={t('devices.stopBits')} error={err('connection.stopBits')}>
            {(id) => <SelectInput id={id} value={form.stopBits} onChange={(v) => v && update({ stopBits: v as DeviceForm['stopBits'] })} options={['1', '2'].map((b) => ({ value: b, label: b }))} />}
          </Field>
        </div>
      ) : null}
      {form.connType !== 'tcp' ? <PortPicker form={form} update={update} lang={lang} /> : null}
    </div>
  );
}

function describePort(p: PortInfo): string {
  const ids = p.vendorId !== null && p.productId !== null ? `${hex4(p.vendorId)}:${hex4(p.productId)}` : '';
  return [p.manufacturer, p.product, ids, p.serialNumber, p.hidPos ? 'HID-POS' : null].filter(Boolean).join(' · ');
}

/** The ports of this PC of the connection's kind: why the list may be incomplete, then each port (those we may not open marked). */
function PortPicker({ form, update, lang }: { form: DeviceForm; update: Update; lang: Lang }) {
  const { t } = useTranslation();
  const ports = useQuery('devices.ports', {});
  const list = (ports.data?.ports ?? []).filter((p) => p.kind === form.connType);
  const pick = (p: PortInfo) =>
    update(form.connType === 'hid' ? { path: p.path, vendorId: hex4(p.vendorId), productId: hex4(p.productId) } : { path: p.path });
  return (
    <section className="dv-ports" aria-labelledby="dv-ports-title">
      <div className="dv-ports-head">
        <h3 id="dv-ports-title">{t('devices.ports.title')}</h3>
        <Button type="button" onClick={ports.reload} pending={ports.loading}>
          {t('devices.ports.refresh')}
        </Button>
      </div>
      <ErrorBanner error={ports.error} />
      {(ports.data?.notices ?? []).map((n) => (
        <div key={n.code} className="banner banner-warn" role="note">
          <strong>{n.message[lang]}</strong> {n.hint ? n.hint[lang] : null}
        </div>
      ))}
      {ports.data && list.length === 0 ? <p className="muted">{t('devices.ports.none')}</p> : null}
      {list.length > 0 ? (
        <ul className="dv-port-list" aria-label={t('devices.ports.list')}>
          {list.map((p) => (
            <li key={p.path} className={p.accessible === false ? 'dv-port-denied' : undefined}>
              <button type="button" className="dv-port" aria-pressed={form.path === p.path} onClick={() => pick(p)}>
                <span className="lp-mono">{p.path}</span> <span className="muted">{describePort(p)}</span>
              </button>
              {p.accessible === false ? <div className="field-error">{t('devices.ports.denied')}</div> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

// ── options per kind ────────────────────────────────────────────────────────────────────────

function ScaleFields({ form, update, err }: { form: DeviceForm; update: Update; err: Err }) {
  const { t } = useTranslation();
  const s = form.scale;
  const set = (patch: Partial<DeviceForm['scale']>) => update((f) => ({ ...f, scale: { ...f.scale, ...patch } }));
  return (
    <div className="grid-2">
      <Field label={t('devices.scale.minKg')} error={err('options.minGrams')}>
        {(id) => <KgInput id={id} value={s.minKg} onChange={(v) => set({ minKg: v })} />}
      </Field>
      <Field label={t('devices.scale.maxKg')} error={err('options.maxGrams')}>
        {(id) => <KgInput id={id} value={s.maxKg} onChange={(v) => set({ maxKg: v })} />}
      </Field>
      {POLLED.includes(form.protocol) ? <NumberField label={t('devices.scale.pollMs')} value={s.pollMs} onChange={(v) => set({ pollMs: v })} error={err('options.pollMs')} /> : null}
      <NumberField label={t('devices.scale.staleMs')} value={s.staleMs} onChange={(v) => set({ staleMs: v })} error={err('options.staleMs')} hint={t('devices.scale.staleHint')} />
      {form.protocol === 'shtrih' ? (
        <Field label={t('devices.scale.password')} error={err('options.password')} hint={t('devices.scale.passwordHint')}>
          {(id) => <TextInput id={id} value={s.password} onChange={(v) => set({ password: v })} inputMode="numeric" maxLength={4} autoComplete="off" />}
        </Field>
      ) : null}
      {form.protocol === 'mt-sics' ? <Check label={t('devices.scale.stream')} checked={s.stream} onChange={(v) => set({ stream: v })} /> : null}
      {form.protocol === 'toledo' ? <Check label={t('devices.scale.checksum')} checked={s.checksum} onChange={(v) => set({ checksum: v })} /> : null}
    </div>
  );
}

/** Scanners have no settings; the note says why, so the user does not look for them. */
function ScannerFields({ protocol }: { protocol: DeviceProtocol }) {
  const { t } = useTranslation();
  return <p className="muted">{t(protocol === 'scanner-serial' ? 'devices.scanner.serialNote' : 'devices.scanner.hidNote')}</p>;
}

function SensorFields({ form, update, err, lang }: { form: DeviceForm; update: Update; err: Err; lang: Lang }) {
  const { t } = useTranslation();
  const locations = useQuery('locations.list', {});
  const equipment = useQuery('equipment.list', {});
  const s = form.sensor;
  const set = (patch: Partial<DeviceForm['sensor']>) => update((f) => ({ ...f, sensor: { ...f.sensor, ...patch } }));
  const setChannel = (i: number, patch: Partial<ChannelForm>) => set({ channels: s.channels.map((c, j) => (j === i ? { ...c, ...patch } : c)) });
  /** A preset's line settings and register map, for the unit id already typed. */
  const preset = (key: SensorPresetKey) =>
    update((f) => {
      const { line } = SENSOR_PRESETS[key];
      const unitId = f.sensor.channels[0]?.unitId ?? '1';
      const channels = sensorPresetChannels(key).map((c) => ({ ...channelForm(c), unitId }));
      return { ...f, baudRate: String(line.baudRate), dataBits: `${line.dataBits}`, parity: line.parity, stopBits: `${line.stopBits}`, sensor: { ...f.sensor, channels } };
    });
  const blankChannel: ChannelForm = { quantity: 'temperature', unitId: s.channels[0]?.unitId ?? '1', fn: '4', address: '', type: 'int16', wordOrder: 'big', scale: '0.1', offset: '0' };
  return (
    <div className="dv-sensor">
      <div className="grid-2">
        <Field label={t('devices.sensor.location')} error={err('options.location')} hint={t('devices.sensor.locationHint')}>
          {(id) => (
            <SelectInput
              id={id}
              value={s.location}
              onChange={(v) => set({ location: v })}
              options={(locations.data?.rows ?? []).filter((l) => l.active === 1).map((l) => ({ value: l.code, label: `${l.code} · ${l.name}` }))}
              placeholder={t('devices.sensor.none')}
            />
          )}
        </Field>
        <Field label={t('devices.sensor.equipment')} error={err('options.equipment')}>
          {(id) => (
            <SelectInput
              id={id}
              value={s.equipment}
              onChange={(v) => set({ equipment: v })}
              options={(equipment.data?.rows ?? []).filter((e) => e.active === 1).map((e) => ({ value: e.code, label: `${e.code} · ${e.name}` }))}
              placeholder={t('devices.sensor.none')}
            />
          )}
        </Field>
        <NumberField label={t('devices.sensor.tempMin')} value={s.tempMin} onChange={(v) => set({ tempMin: v })} error={err('options.tempMin')} hint={t('devices.sensor.limitHint')} />
        <NumberField label={t('devices.sensor.tempMax')} value={s.tempMax} onChange={(v) => set({ tempMax: v })} error={err('options.tempMax')} hint={t('devices.sensor.limitHint')} />
        <NumberField label={t('devices.sensor.alertDelay')} value={s.alertDelayMin} onChange={(v) => set({ alertDelayMin: v })} error={err('options.alertDelayMs')} hint={t('devices.sensor.alertDelayHint')} />
        <NumberField label={t('devices.sensor.pollMs')} value={s.pollMs} onChange={(v) => set({ pollMs: v })} error={err('options.pollMs')} />
        <NumberField label={t('devices.sensor.timeoutMs')} value={s.timeoutMs} onChange={(v) => set({ timeoutMs: v })} error={err('options.timeoutMs')} />
      </div>
      <div className="dv-presets" role="group" aria-label={t('devices.sensor.presets')}>
        <span className="muted">{t('devices.sensor.presets')}:</span>
        {SENSOR_PRESET_KEYS.map((key) => (
          <Button key={key} type="button" onClick={() => preset(key)}>
            {SENSOR_PRESETS[key].name[lang]}
          </Button>
        ))}
      </div>
      {err('options.channels') && !s.channels.length ? <div className="field-error">{err('options.channels')}</div> : null}
      {s.channels.map((c, i) => {
        const at = (f: string) => err(`options.channels.${i}.${f}`);
        return (
          <fieldset key={i} className="set-fieldset dv-channel">
            <legend>{t('devices.sensor.channel', { n: i + 1 })}</legend>
            <div className="grid-4">
              <Field label={t('devices.sensor.quantity')} error={at('quantity')}>
                {(id) => (
                  <SelectInput
                    id={id}
                    value={c.quantity}
                    onChange={(v) => v && setChannel(i, { quantity: v as ChannelForm['quantity'] })}
                    options={(['temperature', 'humidity'] as const).map((q) => ({ value: q, label: t(`devices.quantity.${q}`) }))}
                  />
                )}
              </Field>
              <NumberField label={t('devices.sensor.unitId')} value={c.unitId} onChange={(v) => setChannel(i, { unitId: v })} error={at('unitId')} />
              <Field label={t('devices.sensor.function')} error={at('function')}>
                {(id) => (
                  <SelectInput
                    id={id}
                    value={c.fn}
                    onChange={(v) => v && setChannel(i, { fn: v as ChannelForm['fn'] })}
                    options={[
                      { value: '4', label: t('devices.sensor.fn4') },
                      { value: '3', label: t('devices.sensor.fn3') },
                    ]}
                  />
                )}
              </Field>
              <NumberField label={t('devices.sensor.address')} value={c.address} onChange={(v) => setChannel(i, { address: v })} error={at('address')} />
              <Field label={t('devices.sensor.type')} error={at('type')}>
                {(id) => (
                  <SelectInput
                    id={id}
                    value={c.type}
                    onChange={(v) => v && setChannel(i, { type: v as ChannelForm['type'] })}
                    options={(['int16', 'uint16', 'int32', 'uint32', 'float32'] as const).map((x) => ({ value: x, label: x }))}
                  />
                )}
              </Field>
              <Field label={t('devices.sensor.wordOrder')} error={at('wordOrder')}>
                {(id) => (
                  <SelectInput
                    id={id}
                    value={c.wordOrder}
                    onChange={(v) => v && setChannel(i, { wordOrder: v as ChannelForm['wordOrder'] })}
                    options={(['big', 'little'] as const).map((x) => ({ value: x, label: t(`devices.sensor.order.${x}`) }))}
                  />
                )}
              </Field>
              <NumberField label={t('devices.sensor.scale')} value={c.scale} onChange={(v) => setChannel(i, { scale: v })} error={at('scale')} />
              <NumberField label={t('devices.sensor.offset')} value={c.offset} onChange={(v) => setChannel(i, { offset: v })} error={at('offset')} />
            </div>
            {s.channels.length > 1 ? (
              <Button type="button" onClick={() => set({ channels: s.channels.filter((_, j) => j !== i) })} aria-label={t('devices.sensor.removeChannel', { n: i + 1 })}>
                {t('common.remove')}
              </Button>
            ) : null}
          </fieldset>
        );
      })}
      <Button type="button" onClick={() => set({ channels: [...s.channels, blankChannel] })} disabled={s.channels.length >= 16}>
        + {t('devices.sensor.addChannel')}
      </Button>
    </div>
  );
}

function PrinterFields({ form, update, err }: { form: DeviceForm; update: Update; err: Err }) {
  const { t } = useTranslation();
  const p = form.printer;
  const set = (patch: Partial<DeviceForm['printer']>) => update((f) => ({ ...f, printer: { ...f.printer, ...patch } }));
  return (
    <div className="grid-2">
      <Field label={t('devices.printer.dpi')} error={err('options.dpi')}>
        {(id) => <SelectInput id={id} value={p.dpi} onChange={(v) => v && set({ dpi: v as DeviceForm['printer']['dpi'] })} options={['203', '300'].map((d) => ({ value: d, label: `${d} dpi` }))} />}
      </Field>
      <NumberField label={t('devices.printer.gapMm')} value={p.gapMm} onChange={(v) => set({ gapMm: v })} error={err('options.gapMm')} />
      <NumberField label={t('devices.printer.widthMm')} value={p.widthMm} onChange={(v) => set({ widthMm: v })} error={err('options.widthMm')} />
      <NumberField label={t('devices.printer.heightMm')} value={p.heightMm} onChange={(v) => set({ heightMm: v })} error={err('options.heightMm')} />
      <Field label={t('devices.printer.cjkFont')} error={err('options.cjkFont')} hint={t('devices.printer.cjkHint')} wide>
        {(id) => <TextInput id={id} value={p.cjkFont} onChange={(v) => set({ cjkFont: v })} maxLength={60} autoComplete="off" className="lp-mono" />}
      </Field>
      <Field label={t('devices.printer.textAs')} error={err('options.textAs')} hint={t('devices.printer.textAsHint')} wide>
        {(id) => (
          <SelectInput
            id={id}
            value={p.textAs}
            onChange={(v) => set({ textAs: v as DeviceForm['printer']['textAs'] })}
            placeholder={t('devices.printer.textAsAuto')}
            options={TEXT_AS.map((v) => ({ value: v, label: t(`devices.printer.textAsMode.${v}`) }))}
          />
        )}
      </Field>
    </div>
  );
}

function LabFields({ form, update, err, lang }: { form: DeviceForm; update: Update; err: Err; lang: Lang }) {
  const { t } = useTranslation();
  const l = form.lab;
  const set = (patch: Partial<DeviceForm['lab']>) => update((f) => ({ ...f, lab: { ...f.lab, ...patch } }));
  /** Editing the profile by hand makes it the user's own. */
  const edit = (patch: Partial<DeviceForm['lab']>) => set({ ...patch, preset: 'custom' });
  const setCode = (i: number, patch: Partial<{ from: string; to: string }>) => set({ testCodes: l.testCodes.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  return (
    <div className="dv-lab">
      <Field label={t('devices.lab.sampleId')} error={err('options.sampleId')}>
        {(id) => (
          <SelectInput
            id={id}
            value={l.sampleId}
            onChange={(v) => v && set({ sampleId: v as DeviceForm['lab']['sampleId'] })}
            options={(['lot', 'inspection'] as const).map((s) => ({ value: s, label: t(`devices.lab.sampleIdValue.${s}`) }))}
          />
        )}
      </Field>
      {form.protocol === 'lab-line' ? (
        <fieldset className="set-fieldset">
          <legend>{t('devices.lab.profile')}</legend>
          {err('options.profile') && !err('options.profile.pattern') ? <div className="field-error">{err('options.profile')}</div> : null}
          <div className="grid-2">
            <Field label={t('devices.lab.preset')}>
              {(id) => (
                <SelectInput
                  id={id}
                  value={l.preset}
                  onChange={(v) => {
                    const preset = (v || 'custom') as LabPreset;
                    set(preset === 'custom' ? { preset } : { preset, ...profileForm(LAB_LINE_PRESETS[preset].profile) });
                  }}
                  options={[
                    ...LAB_LINE_PRESET_KEYS.map((key) => ({ value: key, label: LAB_LINE_PRESETS[key].name[lang] })),
                    { value: 'custom', label: t('devices.lab.presets.custom') },
                  ]}
                />
              )}
            </Field>
            <Field label={t('devices.lab.command')} error={err('options.profile.command')} hint={t('devices.lab.commandHint')}>
              {(id) => <TextInput id={id} value={l.command} onChange={(v) => edit({ command: v })} maxLength={40} autoComplete="off" className="lp-mono" />}
            </Field>
            <Field label={t('devices.lab.pattern')} error={err('options.profile.pattern')} hint={t('devices.lab.patternHint')} wide>
              {(id) => <TextInput id={id} value={l.pattern} onChange={(v) => edit({ pattern: v })} maxLength={400} autoComplete="off" spellCheck={false} className="lp-mono" />}
            </Field>
            <Field label={t('devices.lab.unit')} error={err('options.profile.unit')}>
              {(id) => <TextInput id={id} value={l.unit} onChange={(v) => edit({ unit: v })} maxLength={20} autoComplete="off" />}
            </Field>
            <Field label={t('devices.lab.testCode')} error={err('options.profile.testCode')} hint={t('devices.lab.testCodeHint')}>
              {(id) => <TextInput id={id} value={l.testCode} onChange={(v) => edit({ testCode: v })} maxLength={40} autoComplete="off" className="lp-mono" />}
            </Field>
            <NumberField label={t('devices.lab.intervalMs')} value={l.intervalMs} onChange={(v) => edit({ intervalMs: v })} error={err('options.profile.intervalMs')} />
          </div>
        </fieldset>
      ) : null}
      <fieldset className="set-fieldset">
        <legend>{t('devices.lab.testCodes')}</legend>
        <p className="field-hint">{t('devices.lab.testCodesHint')}</p>
        {err('options.testCodes') ? <div className="field-error">{err('options.testCodes')}</div> : null}
        {l.testCodes.map((r, i) => (
          <div key={i} className="dv-code-row">
            <Field label={t('devices.lab.instrumentCode', { n: i + 1 })}>
              {(id) => <TextInput id={id} value={r.from} onChange={(v) => setCode(i, { from: v })} maxLength={40} autoComplete="off" className="lp-mono" />}
            </Field>
            <Field label={t('devices.lab.parameterCode', { n: i + 1 })}>
              {(id) => <TextInput id={id} value={r.to} onChange={(v) => setCode(i, { to: v })} maxLength={40} autoComplete="off" className="lp-mono" />}
            </Field>
            <Button type="button" onClick={() => set({ testCodes: l.testCodes.filter((_, j) => j !== i) })} aria-label={t('devices.lab.removeCode', { n: i + 1 })}>
              {t('common.remove')}
            </Button>
          </div>
        ))}
        <Button type="button" onClick={() => set({ testCodes: [...l.testCodes, { from: '', to: '' }] })}>
          + {t('devices.lab.addCode')}
        </Button>
      </fieldset>
    </div>
  );
}

// ── test, live readings, printing ──────────────────────────────────────────────────────────

function FaultView({ fault, lang }: { fault: NonNullable<TestResult['fault']>; lang: Lang }) {
  return (
    <div className="banner banner-error dv-fault" role="alert">
      <strong>{fault.message[lang]}</strong>
      {fault.hint ? <div>{fault.hint[lang]}</div> : null}
      {fault.cause ? <div className="muted dv-cause">{fault.cause}</div> : null}
    </div>
  );
}

function TestReport({ result, lang }: { result: TestResult; lang: Lang }) {
  const { t } = useTranslation();
  const text = useReadingText();
  const time = (ms: number) => new Date(ms).toLocaleTimeString(lang === 'en' ? 'en-GB' : 'ru-RU');
  const nothing = result.weights.length + result.scans.length + result.lines.length + result.samples.length === 0;
  return (
    <section className="card dv-report" aria-labelledby="dv-test-title" data-testid="device-test">
      <h3 id="dv-test-title">{t('devices.testTitle')}</h3>
      {result.fault ? <FaultView fault={result.fault} lang={lang} /> : null}
      {result.ok && !result.fault ? (
        <div className="banner banner-ok" role="status">
          {t('devices.testOk')}
        </div>
      ) : null}
      {nothing ? <p className="muted">{t('devices.testNothing')}</p> : null}
      {result.weights.length ? (
        <Readings title={t('devices.readings.weights')} items={result.weights.slice(-8).map((w) => `${time(w.at)} · ${text.weight(w)}`)} />
      ) : null}
      {result.scans.length ? (
        <Readings title={t('devices.readings.scans')} items={result.scans.map((s) => `${s.raw}${s.errors.length ? ` — ${s.errors.map((e) => e[lang]).join('; ')}` : ''}`)} />
      ) : null}
      {result.lines.length ? <Readings title={t('devices.readings.lines')} items={result.lines} mono /> : null}
      {result.samples.length ? (
        <Readings
          title={t('devices.readings.samples')}
          items={result.samples.map((s) => `${t(`devices.quantity.${s.quantity}`, { defaultValue: s.quantity })}: ${s.value === null ? (s.error ?? '—') : s.value}`)}
        />
      ) : null}
    </section>
  );
}

function Readings({ title, items, mono }: { title: string; items: string[]; mono?: boolean }) {
  return (
    <div className="dv-readings">
      <h4>{title}</h4>
      <ul aria-label={title} className={mono ? 'lp-mono' : undefined}>
        {items.map((item, i) => (
          <li key={i}>{item}</li>
        ))}
      </ul>
    </div>
  );
}

/** A saved device as it is now: connection state, why it is down, and what it last sent. */
function LivePanel({ device, latest, lang }: { device: DeviceRow; latest: Latest | undefined; lang: Lang }) {
  const { t } = useTranslation();
  const { statuses } = useDeviceStatus();
  const reconnect = useMutation('devices.reconnect');
  const text = useReadingText();
  const status = statuses.get(device.code);
  const items: { label: string; value: string }[] = [];
  if (latest?.weight) items.push({ label: t('devices.readings.weight'), value: text.weight(latest.weight) });
  if (latest?.scan) items.push({ label: t('devices.readings.scan'), value: text.scan(latest.scan) });
  if (latest?.lab) items.push({ label: t('devices.readings.lab'), value: text.lab(latest.lab) });
  for (const s of Object.values(latest?.sample ?? {})) items.push({ label: t(`devices.quantity.${s.quantity}`), value: text.sample(s) });
  return (
    <section className="card dv-live" aria-labelledby="dv-live-title" data-testid="device-live">
      <div className="card-head">
        <h3 id="dv-live-title">{t('devices.liveTitle', { code: device.code })}</h3>
        <StateBadge state={status?.state} />
      </div>
      {status ? (
        <p className="muted">
          {t('devices.since', { at: dateTime(status.since) })}
          {status.lastReadingAt ? ` · ${t('devices.lastReading', { at: dateTime(status.lastReadingAt) })}` : ''}
          {status.retryAt ? ` · ${t('devices.retry', { attempt: status.attempt, at: new Date(status.retryAt).toLocaleTimeString(lang === 'en' ? 'en-GB' : 'ru-RU') })}` : ''}
        </p>
      ) : null}
      {status?.fault && status.state === 'error' ? <FaultView fault={status.fault} lang={lang} /> : null}
      {items.length ? (
        <dl className="qc-facts" aria-live="polite">
          {items.map((i) => (
            <Fact key={i.label} label={i.label}>
              {i.value}
            </Fact>
          ))}
        </dl>
      ) : (
        <p className="muted">{t('devices.noReadings')}</p>
      )}
      <ErrorBanner error={reconnect.error} />
      <div className="actions">
        <Button type="button" pending={reconnect.pending} onClick={() => void reconnect.run({ device: device.code })}>
          {t('devices.weight.reconnect')}
        </Button>
      </div>
    </section>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

/** A printer's test label and its jobs, with their states as they change. */
function PrintPanel({ device, lang }: { device: string; lang: Lang }) {
  const { t } = useTranslation();
  const jobs = useQuery('printers.jobs', {});
  const [live, setLive] = useState<ReadonlyMap<string, PrintJob>>(() => new Map());
  const print = useMutation('printers.test');
  const cancel = useMutation('printers.cancel');
  const track = (job: PrintJob) => setLive((m) => new Map(m).set(job.id, job));
  useDeviceEvent('device.printJob', track);
  const rows = useMemo(() => {
    const all = new Map((jobs.data?.rows ?? []).map((j) => [j.id, j]));
    for (const j of live.values()) all.set(j.id, j);
    return [...all.values()].filter((j) => j.device === device).sort((a, b) => b.createdAt - a.createdAt);
  }, [jobs.data, live, device]);
  const error: OperationError | undefined = print.error ?? cancel.error ?? jobs.error;
  return (
    <section className="card dv-print" aria-labelledby="dv-print-title">
      <div className="card-head">
        <h3 id="dv-print-title">{t('devices.print.title')}</h3>
        <Button
          type="button"
          kind="primary"
          pending={print.pending}
          onClick={async () => {
            const job = await print.run({ device });
            if (job) track(job);
          }}
        >
          {t('devices.print.test')}
        </Button>
      </div>
      <ErrorBanner error={error} />
      {rows.length === 0 ? (
        <p className="muted">{t('devices.print.none')}</p>
      ) : (
        <table className="dv-table" aria-label={t('devices.print.jobs')}>
          <thead>
            <tr>
              <th>{t('devices.print.job')}</th>
              <th>{t('devices.print.state')}</th>
              <th className="num">{t('devices.print.copies')}</th>
              <th>{t('devices.print.created')}</th>
              <th>{t('devices.print.finished')}</th>
              <th>{t('devices.print.action')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((j) => (
              <tr key={j.id} data-job-state={j.state}>
                <td>{j.title}</td>
                <td>
                  <span className={`status dv-job-${j.state}`}>{t(`devices.print.states.${j.state}`)}</span>
                  {j.fault ? <div className="field-error">{j.fault.message[lang]}</div> : null}
                </td>
                <td className="num">{j.copies}</td>
                <td>{dateTime(j.createdAt)}</td>
                <td>{dateTime(j.finishedAt)}</td>
                <td>
                  {j.state === 'queued' ? (
                    <Button
                      type="button"
                      pending={cancel.pending}
                      onClick={async () => {
                        const done = await cancel.run({ id: j.id });
                        if (done) track(done);
                      }}
                    >
                      {t('devices.print.cancel')}
                    </Button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
