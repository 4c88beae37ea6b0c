// The temperature alarm above every screen: shown while any limit alert is open and nobody has
// acknowledged it yet (HACCP), refreshed the moment a sensor raises or closes one, and linking to
// the temperature screen where it is acknowledged with the corrective action taken.
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
  const alerts = useQuery('alerts.list', { open: true, unacknowledged: true, limit: 3 });
  useDeviceEvent('device.alert', alerts.reload);
  const describe = useAlertText();
  const rows = alerts.data?.rows ?? [];
  if (rows.length === 0) return null;
  return (
    <div className="alert-banner" role="alert" data-testid="alert-banner">
      <strong>⚠ {t('devices.alerts.banner', { count: alerts.data?.total ?? rows.length })}</strong>
      <span className="alert-banner-text">{describe(rows[0]!)}</span>
      <a href="#/temperature">{t('devices.alerts.open')}</a>
    </div>
  );
}
