// Temperature and humidity sensors: samples, their history for charts, and limit alerts.
//
// Raw samples (`sensor_samples`) are local to the PC that polled them: not replicated, not
// audited, pruned after SAMPLE_RETENTION_MS. Each stored good value also lands in its hour of
// `sensor_hourly` in the same transaction, so a chart over years reads a few thousand rows.
//
// Alerts (`sensor_alerts`) are replicated and audited. Whether one opens is decided from the
// stored samples alone — never from state in memory — so a restart, a retried call or samples
// split over several calls all end the same way.
import type { AlertEvent, SensorOptions } from '../contract/devices.js';
import { say } from '../contract/errors.js';
import { DomainError } from '../core/domain-error.js';
import { qb } from '../db/query.js';
import type { DeviceRow, SensorAlertRow } from '../db/schema.js';
import type { Tx } from '../db/tx.js';
import { DAY_MS, findByCode, isoDate, siteCodeOf } from './common.js';
import { deviceOfKind, workspaceIdOf } from './devices.js';
import type { Handlers } from './handler.js';

/** Raw samples are kept this long; older history is hourly only. */
export const SAMPLE_RETENTION_MS = 90 * DAY_MS;
/** Old samples deleted per `sensors.record`: a little each time, never a long pause. */
const PRUNE_BATCH = 500;
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Longer periods are charted from the hourly history even while raw samples exist. */
const RAW_SERIES_MAX_SPAN_MS = 7 * DAY_MS;

type Quantity = 'temperature' | 'humidity';
type AlertKind = SensorAlertRow['kind'];
interface Limits {
  min: number | null;
  max: number | null;
}
const NO_LIMITS: Limits = { min: null, max: null };

/** A sensor's temperature limits: its own settings first, else those of the location it hangs in. */
function temperatureLimits(tx: Tx, options: SensorOptions): Limits {
  const location = options.location !== null ? findByCode(tx, 'locations', options.location) : undefined;
  return { min: options.tempMin ?? location?.temp_min ?? null, max: options.tempMax ?? location?.temp_max ?? null };
}

function limitsOf(tx: Tx, options: SensorOptions, quantity: Quantity): Limits {
  return quantity === 'temperature' ? temperatureLimits(tx, options) : NO_LIMITS;
}

/** Stores one sample and counts a good value into its hour; false for a sample already stored. */
function storeSample(tx: Tx, deviceId: string, s: { at: number; quantity: Quantity; value: number | null; error?: string | null }): boolean {
  const stored = tx.q.sqlRun(
    'INSERT INTO sensor_samples (device_id, quantity, at, value, error) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    deviceId,
    s.quantity,
    s.at,
    s.value,
    s.value === null ? (s.error ?? 'no value / нет значения') : (s.error ?? null),
  );
  if (stored === 0) return false;
  if (s.value !== null) {
    tx.q.sqlRun(
      `INSERT INTO sensor_hourly (device_id, quantity, hour_start, n, min, max, sum) VALUES (?, ?, ?, 1, ?, ?, ?)
       ON CONFLICT (device_id, quantity, hour_start)
       DO UPDATE SET n = n + 1, min = MIN(min, excluded.min), max = MAX(max, excluded.max), sum = sum + excluded.sum`,
      deviceId,
      s.quantity,
      Math.floor(s.at / HOUR_MS) * HOUR_MS,
      s.value,
      s.value,
      s.value,
    );
  }
  return true;
}

// For each kind of alert: which stored samples end a run (`clears`) and which belong to it
// (`breaches`). An error sample neither ends nor starts a limit breach: the sensor said nothing.
const RUN_CONDITIONS: Record<AlertKind, { clears: string; breaches: string; peak: string }> = {
  above: { clears: 'value <= ?', breaches: 'value > ?', peak: 'MAX(value)' },
  below: { clears: 'value >= ?', breaches: 'value < ?', peak: 'MIN(value)' },
  sensor: { clears: 'value IS NOT NULL', breaches: 'value IS NULL', peak: 'NULL' },
};
const RUN_SQL = Object.fromEntries(
  Object.entries(RUN_CONDITIONS).map(([kind, c]) => [
    kind,
    {
      lastClear: `SELECT at FROM sensor_samples WHERE device_id = ? AND quantity = 'temperature' AND at <= ? AND ${c.clears}
                  ORDER BY at DESC LIMIT 1`,
      run: `SELECT MIN(at) AS start, ${c.peak} AS peak FROM sensor_samples
            WHERE device_id = ? AND quantity = 'temperature' AND at > ? AND at <= ? AND ${c.breaches}`,
    },
  ]),
) as Record<AlertKind, { lastClear: string; run: string }>;

/** The run of stored samples in the alert's condition that ends at `at`: when it began and its worst value. */
function currentRun(tx: Tx, deviceId: string, kind: AlertKind, at: number, limit: number | null) {
  const bound = kind === 'sensor' ? [] : [limit];
  const lastClear = tx.q.sql<{ at: number }>(RUN_SQL[kind].lastClear, deviceId, at, ...bound)[0]?.at ?? -1;
  return tx.q.sql<{ start: number; peak: number | null }>(RUN_SQL[kind].run, deviceId, lastClear, at, ...bound)[0]!;
}

/** Opens, tracks and closes one sensor's temperature alerts over the samples of one call. */
class AlertTracker {
  readonly events: AlertEvent[] = [];
  private readonly open = new Map<AlertKind, { row: SensorAlertRow; peak: number | null }>();
  private readonly place: { location_id: string | null; equipment_id: string | null };

  constructor(
    private readonly tx: Tx,
    private readonly device: DeviceRow,
    private readonly options: SensorOptions,
    private readonly limits: Limits,
  ) {
    const rows = tx.q.all(
      qb.selectFrom('sensor_alerts').selectAll().where('device_id', '=', device.id).where('quantity', '=', 'temperature').where('ended_at', 'is', null),
    );
    for (const row of rows) this.open.set(row.kind, { row, peak: row.peak_value });
    const idOf = (table: 'locations' | 'equipment', code: string | null) => (code !== null ? (findByCode(tx, table, code)?.id ?? null) : null);
    this.place = { location_id: idOf('locations', options.location), equipment_id: idOf('equipment', options.equipment) };
  }

  /** Takes one newly stored sample, in time order. */
  sample(at: number, value: number | null): void {
    if (value === null) {
      this.consider('sensor', at, null, true, null);
      return;
    }
    this.consider('sensor', at, value, false, null);
    const { min, max } = this.limits;
    this.consider('above', at, value, max !== null && value > max, max);
    this.consider('below', at, value, min !== null && value < min, min);
  }

  private consider(kind: AlertKind, at: number, value: number | null, breaching: boolean, limit: number | null): void {
    const alert = this.open.get(kind);
    // A late sample from before the alert began says nothing about it.
    if (alert && at < alert.row.started_at) return;
    if (alert && breaching) {
      if (value !== null && alert.peak !== null) alert.peak = kind === 'below' ? Math.min(alert.peak, value) : Math.max(alert.peak, value);
    } else if (alert) {
      const closed = this.tx.update('sensor_alerts', alert.row, { ended_at: at, peak_value: alert.peak });
      this.open.delete(kind);
      this.events.push(this.event(closed, 'closed', value, at));
    } else if (breaching) {
      const run = currentRun(this.tx, this.device.id, kind, at, limit);
      if (at - run.start < this.options.alertDelayMs) return;
      const row = this.tx.insert('sensor_alerts', {
        device_id: this.device.id,
        ...this.place,
        quantity: 'temperature',
        kind,
        limit_value: limit,
        started_at: run.start,
        peak_value: run.peak,
        ended_at: null,
        acknowledged_by: null,
        acknowledged_at: null,
        note: null,
      });
      this.open.set(kind, { row, peak: row.peak_value });
      this.events.push(this.event(row, 'open', value, row.started_at));
    }
  }

  /** Writes the worst values seen while alerts stay open. */
  finish(): void {
    for (const alert of this.open.values()) {
      if (alert.peak !== alert.row.peak_value) this.tx.update('sensor_alerts', alert.row, { peak_value: alert.peak });
    }
  }

  private event(row: SensorAlertRow, state: AlertEvent['state'], value: number | null, at: number): AlertEvent {
    return { id: row.id, device: this.device.code, kind: row.kind, state, value, limit: row.limit_value, at };
  }
}

interface SeriesPoint {
  at: number;
  min: number;
  avg: number;
  max: number;
  n: number;
}

const ALERT_VIEW_SQL = `
  SELECT a.*, d.code AS device_code, d.name AS device_name, l.code AS location_code, e.code AS equipment_code,
         u.display_name AS acknowledged_by_name
  FROM sensor_alerts a
  JOIN devices d ON d.id = a.device_id
  LEFT JOIN locations l ON l.id = a.location_id
  LEFT JOIN equipment e ON e.id = a.equipment_id
  LEFT JOIN users u ON u.id = a.acknowledged_by`;

type AlertViewRow = SensorAlertRow & {
  device_code: string;
  device_name: string;
  location_code: string | null;
  equipment_code: string | null;
  acknowledged_by_name: string | null;
};

export const sensorHandlers: Handlers<'sensors.record' | 'sensors.series' | 'sensors.latest' | 'alerts.list' | 'alerts.acknowledge'> = {
  'sensors.record'(tx, input) {
    const { device, options } = deviceOfKind<SensorOptions>(tx, input.device, 'sensor');
    const samples = [...input.samples].sort((a, b) => a.at - b.at);
    const alerts = new AlertTracker(tx, device, options, temperatureLimits(tx, options));
    let stored = 0;
    for (const s of samples) {
      // A retried sample is not counted twice, in the hour or in an alert.
      if (!storeSample(tx, device.id, s)) continue;
      stored += 1;
      if (s.quantity === 'temperature') alerts.sample(s.at, s.value);
    }
    alerts.finish();
    tx.q.sqlRun(
      `DELETE FROM sensor_samples WHERE (device_id, quantity, at) IN
         (SELECT device_id, quantity, at FROM sensor_samples WHERE at < ? ORDER BY at LIMIT ?)`,
      tx.now - SAMPLE_RETENTION_MS,
      PRUNE_BATCH,
    );
    return { stored, alerts: alerts.events };
  },

  'sensors.series'(tx, input) {
    const { from, to, maxPoints, quantity } = input;
    if (to <= from) throw new DomainError('INVALID_PERIOD', { start: isoDate(from), end: isoDate(to) }, 'to');
    const { device, options } = deviceOfKind<SensorOptions>(tx, input.device, 'sensor');
    const limits = limitsOf(tx, options, quantity);
    const span = to - from;
    // Raw samples are complete only inside the retention period; long periods read hours anyway.
    if (from >= tx.now - SAMPLE_RETENTION_MS && span <= RAW_SERIES_MAX_SPAN_MS) {
      const range = [device.id, quantity, from, to] as const;
      const where = 'device_id = ? AND quantity = ? AND at >= ? AND at < ? AND value IS NOT NULL';
      const count = tx.q.sql<{ n: number }>(`SELECT COUNT(*) AS n FROM sensor_samples WHERE ${where}`, ...range)[0]!.n;
      if (count <= maxPoints) {
        const rows = tx.q.sql<{ at: number; value: number }>(`SELECT at, value FROM sensor_samples WHERE ${where} ORDER BY at`, ...range);
        const points = rows.map((r) => ({ at: r.at, min: r.value, avg: r.value, max: r.value, n: 1 }));
        return { resolution: 'raw', stepMs: 0, points, limits };
      }
      // Buckets counted from `from`: ceil(span / step) ≤ maxPoints of them. better-sqlite3 binds
      // every JS number as REAL, so the parameters are cast for an integer division.
      const stepMs = Math.ceil(span / maxPoints / MINUTE_MS) * MINUTE_MS;
      const rows = tx.q.sql<Omit<SeriesPoint, 'at'> & { bucket: number }>(
        `SELECT (at - CAST(? AS INTEGER)) / CAST(? AS INTEGER) AS bucket, MIN(value) AS min, AVG(value) AS avg, MAX(value) AS max, COUNT(*) AS n
         FROM sensor_samples WHERE ${where} GROUP BY bucket ORDER BY bucket`,
        from,
        stepMs,
        ...range,
      );
      const points = rows.map(({ bucket, ...p }) => ({ ...p, at: from + bucket * stepMs }));
      return { resolution: 'bucket', stepMs, points, limits };
    }
    // Whole hours, from the hour `from` falls in; a bucket is as many hours as keep it within maxPoints.
    const base = Math.floor(from / HOUR_MS) * HOUR_MS;
    const stepMs = Math.ceil((to - base) / maxPoints / HOUR_MS) * HOUR_MS;
    const rows = tx.q.sql<{ bucket: number; min: number; max: number; sum: number; n: number }>(
      `SELECT (hour_start - CAST(? AS INTEGER)) / CAST(? AS INTEGER) AS bucket, MIN(min) AS min, MAX(max) AS max, SUM(sum) AS sum, SUM(n) AS n
       FROM sensor_hourly WHERE device_id = ? AND quantity = ? AND hour_start >= ? AND hour_start < ?
       GROUP BY bucket ORDER BY bucket`,
      base,
      stepMs,
      device.id,
      quantity,
      base,
      to,
    );
    const points = rows.map((r) => ({ at: base + r.bucket * stepMs, min: r.min, avg: r.sum / r.n, max: r.max, n: r.n }));
    return { resolution: 'hour', stepMs, points, limits };
  },

  'sensors.latest'(tx) {
    const sensors = tx.q.all(
      qb
        .selectFrom('devices')
        .selectAll()
        .where('workspace_id', '=', workspaceIdOf(tx.q))
        .where('kind', '=', 'sensor')
        .where('active', '=', 1)
        .orderBy('code'),
    );
    return {
      rows: sensors.flatMap((device) => {
        const options = JSON.parse(device.options) as SensorOptions;
        return options.channels.map(({ quantity }) => {
          const last = tx.q.first(
            qb.selectFrom('sensor_samples').select(['at', 'value']).where('device_id', '=', device.id).where('quantity', '=', quantity).orderBy('at', 'desc').limit(1),
          );
          const open = tx.q.first(
            qb.selectFrom('sensor_alerts').select('id').where('device_id', '=', device.id).where('quantity', '=', quantity).where('ended_at', 'is', null),
          );
          return {
            device: device.code,
            name: device.name,
            location: options.location,
            equipment: options.equipment,
            quantity,
            at: last?.at ?? null,
            value: last?.value ?? null,
            ...limitsOf(tx, options, quantity),
            open_alert: open !== undefined,
          };
        });
      }),
    };
  },

  'alerts.list'(tx, input) {
    const where: string[] = [];
    if (input.open !== undefined) where.push(input.open ? 'a.ended_at IS NULL' : 'a.ended_at IS NOT NULL');
    if (input.unacknowledged !== undefined) where.push(input.unacknowledged ? 'a.acknowledged_at IS NULL' : 'a.acknowledged_at IS NOT NULL');
    const clause = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const total = tx.q.sql<{ n: number }>(`SELECT COUNT(*) AS n FROM sensor_alerts a${clause}`)[0]!.n;
    const rows = tx.q.sql<AlertViewRow>(`${ALERT_VIEW_SQL}${clause} ORDER BY a.started_at DESC, a.id DESC LIMIT ? OFFSET ?`, input.limit, input.offset);
    return { rows, total };
  },

  'alerts.acknowledge'(tx, input) {
    const entity = say('Тревога', 'Alert');
    const alert = tx.q.first(qb.selectFrom('sensor_alerts').selectAll().where('id', '=', input.id));
    if (!alert) throw new DomainError('NOT_FOUND', { entity, key: input.id }, 'id');
    if (alert.site_id !== tx.actor.siteId) throw new DomainError('OTHER_SITE', { entity, key: alert.id, site: siteCodeOf(tx, alert.site_id) }, 'id');
    if (alert.acknowledged_at !== null) {
      throw new DomainError('INVALID_STATE', { entity, key: alert.id, state: say('подтверждена', 'acknowledged'), action: say('подтвердить', 'acknowledge') }, 'id');
    }
    // An open alert may be acknowledged (the corrective action is under way); it still closes only when the value returns.
    tx.update('sensor_alerts', alert, { acknowledged_by: tx.actor.userId, acknowledged_at: tx.now, note: input.note });
    return tx.q.sql<AlertViewRow>(`${ALERT_VIEW_SQL} WHERE a.id = ?`, alert.id)[0]!;
  },
};
