// Lab instruments on the quality screen: a notice for every result an instrument sends (where it
// landed, or why it was refused), and — for line-output instruments, which do not say what they
// measured — "Take readings from <instrument>" to send their next readings into this inspection.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LabResultEvent } from '../../../main/contract/devices';
import { api } from '../api/client';
import { useDeviceEvent, useDevices } from '../api/devices';
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
 * Ties this PC's line-output instruments to an open inspection while it is shown; closing the
 * inspection unties them, so a later reading cannot land in it by mistake.
 */
export function LabSampler({ inspection }: { inspection: string }) {
  const { t } = useTranslation();
  const instruments = useDevices('lab').rows.filter((d) => d.protocol === 'lab-line' && d.active === 1);
  const sample = useMutation('devices.sample');
  const [taking, setTaking] = useState<readonly string[]>([]);
  const tied = useRef(taking);
  tied.current = taking;
  useEffect(
    () => () => {
      for (const device of tied.current) void api.result('devices.sample', { device, sample: null });
    },
    [],
  );
  if (instruments.length === 0) return null;

  const start = async (device: string) => {
    if (await sample.run({ device, sample: inspection })) setTaking((d) => [...d, device]);
  };
  const stop = async (device: string) => {
    if (await sample.run({ device, sample: null })) setTaking((d) => d.filter((x) => x !== device));
  };
  return (
    <div className="qc-sampler">
      {instruments.map((d) =>
        taking.includes(d.code) ? (
          <div key={d.code} className="banner banner-ok qc-row" role="status">
            <span>{t('devices.lab.taking', { name: d.name, number: inspection })}</span>
            <Button type="button" pending={sample.pending} onClick={() => void stop(d.code)}>
              {t('devices.lab.stop', { name: d.name })}
            </Button>
          </div>
        ) : (
          <Button key={d.code} type="button" pending={sample.pending} onClick={() => void start(d.code)}>
            {t('devices.lab.takeFrom', { name: d.name })}
          </Button>
        ),
      )}
      <ErrorBanner error={sample.error} />
    </div>
  );
}
