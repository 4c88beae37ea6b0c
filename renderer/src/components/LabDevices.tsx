// Lab instruments on the quality screen: a notice for every result an instrument sends (where it
// landed, or why it was refused), and — for line-output instruments, which do not say what they
// measured — "Take readings from <instrument>" to send their next readings into this inspection.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeviceStatus, LabResultEvent } from '../../../main/contract/devices';
import { api } from '../api/client';
import { useDeviceEvent, useDeviceStatus, useDevices } from '../api/devices';
import { useMutation } from '../api/hooks';
import { Button, ErrorBanner } from './forms';

const KEEP = 5;
let nextNotice = 1;

/** The latest results from instruments, newest first, each until dismissed. */
export function LabNotices() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language === 'en' ? 'en' : 'ru';
  const [notices, setNotices] = useState<(LabResultEvent & { key: number })[]>([]);
  useDeviceEvent('device.lab', (r) => setNotices((n) => [{ ...r, key: nextNotice++ }, ...n].slice(0, KEEP)));
  if (notices.length === 0) return null;
  const dismiss = (key: number) => setNotices((n) => n.filter((x) => x.key !== key));
  return (
    <ul className="qc-lab-notices" aria-label={t('devices.lab.notices')}>
      {notices.map((r) => {
        const words = { test: r.testCode, value: `${r.value} ${r.unit}`.trim(), sample: r.sampleId, device: r.device };
        return (
          <li key={r.key} className={`banner ${r.refused ? 'banner-error' : 'banner-ok'} qc-row`} role="status">
            <span>
              {r.refused || !r.inspection ? (
                t('devices.lab.refused', { ...words, reason: r.refused?.[lang] ?? '' })
              ) : (
                <>
                  {t('devices.lab.landed', words)} <a href={`#/quality/${encodeURIComponent(r.inspection)}`}>{r.inspection}</a>
                </>
              )}
            </span>
            <Button type="button" onClick={() => dismiss(r.key)}>
              {t('devices.scan.dismiss')}
            </Button>
          </li>
        );
      })}
    </ul>
  );
}

/**
 * Ties this PC's line-output instruments to the open inspection shown, for their next readings.
 * Each instrument's tie is read from its status, so one another user took over, or one that
 * lapsed, shows as it is; leaving the inspection unties only the instruments still tied to it.
 */
export function LabSampler({ inspection }: { inspection: string }) {
  const { t } = useTranslation();
  const instruments = useDevices('lab').rows.filter((d) => d.protocol === 'lab-line' && d.active === 1);
  const { statuses } = useDeviceStatus();
  const sample = useMutation('devices.sample');
  // The latest word on each tie: answers to our own calls and status events after them.
  const [ties, setTies] = useState<ReadonlyMap<string, string | null>>(() => new Map());
  const heard = (status: DeviceStatus) => {
    if (status.tiedTo !== undefined) setTies((m) => new Map(m).set(status.code, status.tiedTo?.inspection ?? null));
  };
  useDeviceEvent('device.status', heard);
  const tiedTo = (code: string): string | null => (ties.has(code) ? ties.get(code) : statuses.get(code)?.tiedTo?.inspection) ?? null;
  const started = useRef(new Set<string>());
  useEffect(
    () => () => {
      for (const device of started.current) void api.result('devices.sample', { device, inspection: null, release: inspection });
      started.current.clear();
    },
    [inspection],
  );
  if (instruments.length === 0) return null;

  const start = async (device: string) => {
    const status = await sample.run({ device, inspection });
    if (!status) return;
    started.current.add(device);
    heard(status);
  };
  const stop = async (device: string) => {
    const status = await sample.run({ device, inspection: null, release: inspection });
    if (!status) return;
    started.current.delete(device);
    heard(status);
  };
  return (
    <div className="qc-sampler">
      {instruments.map((d) => {
        const tie = tiedTo(d.code);
        return tie === inspection ? (
          <div key={d.code} className="banner banner-ok qc-row" role="status">
            <span>{t('devices.lab.taking', { name: d.name, number: inspection })}</span>
            <Button type="button" pending={sample.pending} onClick={() => void stop(d.code)}>
              {t('devices.lab.stop', { name: d.name })}
            </Button>
          </div>
        ) : (
          <div key={d.code} className="qc-row">
            {tie ? <span className="muted">{t('devices.lab.tiedElsewhere', { name: d.name, number: tie })}</span> : null}
            <Button type="button" pending={sample.pending} onClick={() => void start(d.code)}>
              {t('devices.lab.takeFrom', { name: d.name })}
            </Button>
          </div>
        );
      })}
      <ErrorBanner error={sample.error} />
    </div>
  );
}
