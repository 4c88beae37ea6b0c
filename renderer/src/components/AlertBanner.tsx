// The temperature alarm above every screen: shown while any limit alert is unacknowledged (HACCP)
// — still going on, or over, like a night excursion nobody saw — refreshed the moment a sensor
// raises or closes one, and linking to the temperature screen where it is acknowledged with the
// corrective action taken.
import { useTranslation } from 'react-i18next';
import type { OperationOutput } from '../../../main/contract/operations';
import { useDeviceEvent } from '../api/devices';
import { useQuery } from '../api/hooks';
import { dateTime, sensorValue } from '../format';

export type AlertRow = OperationOutput<'alerts.list'>['rows'][number];

/** One alert in a sentence: where, what (above / below the limit, sensor silent), since when. */
export function useAlertText() {
  const { t } = useTranslation();
  return (a: AlertRow): string => {
    const where = [a.device_name, a.location_code, a.equipment_code].filter(Boolean).join(' · ');
    return t(`devices.alerts.${a.kind}`, { where, value: sensorValue(a.peak_value, a.quantity), limit: sensorValue(a.limit_value, a.quantity), since: dateTime(a.started_at) });
  };
}

export function AlertBanner() {
  const { t } = useTranslation();
  // Two asks, so one still going on is named first however many ended ones came after it.
  const ongoing = useQuery('alerts.list', { open: true, unacknowledged: true, limit: 1 });
  const ended = useQuery('alerts.list', { open: false, unacknowledged: true, limit: 1 });
  useDeviceEvent('device.alert', () => {
    ongoing.reload();
    ended.reload();
  });
  const describe = useAlertText();
  const first = ongoing.data?.rows[0] ?? ended.data?.rows[0];
  if (!first) return null;
  const count = (ongoing.data?.total ?? 0) + (ended.data?.total ?? 0);
  const state = first.ended_at === null ? t('devices.alerts.ongoing') : t('devices.alerts.ended', { at: dateTime(first.ended_at) });
  return (
    <div className="alert-banner" role="alert" data-testid="alert-banner">
      <strong>⚠ {t('devices.alerts.banner', { count })}</strong>
      <span className="alert-banner-text">
        {describe(first)} — {state}
      </span>
      <a href="#/temperature">{t('devices.alerts.open')}</a>
    </div>
  );
}
