import { describe, expect, test } from 'vitest';
import type { AlertEvent } from '../main/contract/devices.js';
import { SAMPLE_RETENTION_MS } from '../main/services/sensors.js';
import { DAY, expectReadable, expectRefusal, plant, type TestPlant } from './helpers.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DELAY = 5 * MINUTE;

/** A temperature/humidity sensor in cold room BF-CR1 (0…4 °C) with a 5-minute alert delay. */
function sensor(p: TestPlant, options: Record<string, unknown> = {}, code = 'TS-1') {
  return p.call('devices.save', {
    code,
    name: `Датчик ${code}`,
    protocol: 'modbus',
    connection: { type: 'serial', path: '/dev/ttyUSB0' },
    options: {
      location: 'BF-CR1',
      alertDelayMs: DELAY,
      channels: [
        { quantity: 'temperature', address: 1 },
        { quantity: 'humidity', address: 2 },
      ],
      ...options,
    },
  });
}

type Sample = { at: number; quantity?: 'temperature' | 'humidity'; value: number | null; error?: string };

function record(p: TestPlant, samples: Sample[], device = 'TS-1') {
  return p.callAsDevice(device, 'sensors.record', {
    device,
    samples: samples.map((s) => ({ quantity: 'temperature', ...s })),
  });
}

/** One temperature sample a minute from `start`, with the given values. */
const minutes = (start: number, values: (number | null)[]): Sample[] => values.map((value, i) => ({ at: start + i * MINUTE, value }));

function alerts(p: TestPlant) {
  return p.ws.q.sql<{ kind: string; limit_value: number | null; started_at: number; ended_at: number | null; peak_value: number | null }>(
    'SELECT kind, limit_value, started_at, ended_at, peak_value FROM sensor_alerts ORDER BY started_at, kind',
  );
}

function hourly(p: TestPlant) {
  return p.ws.q.sql<{ quantity: string; hour_start: number; n: number; min: number; max: number; sum: number }>(
    'SELECT quantity, hour_start, n, min, max, sum FROM sensor_hourly ORDER BY quantity, hour_start',
  );
}

/** Deterministic sensor-like values: a slow wave with a little noise, one decimal like a real sensor. */
const wave = (i: number) => Math.round((2 + 1.5 * Math.sin(i / 37) + ((i * 7919) % 13) / 20) * 10) / 10;

describe('storing samples', () => {
  test('samples alone leave no audit entry; an alert raised or closed leaves one', () => {
    const p = plant();
    sensor(p, { alertDelayMs: 0 });
    const audit = () => p.ws.q.sql<{ n: number }>("SELECT COUNT(*) AS n FROM audit_log WHERE username = 'device:TS-1'")[0]!.n;
    record(p, minutes(p.now - 10 * MINUTE, [2.5, 2.6, 2.4]));
    expect(audit()).toBe(0);
    record(p, minutes(p.now - 5 * MINUTE, [7.5]));
    expect(audit()).toBe(1);
    record(p, minutes(p.now - 4 * MINUTE, [7.0]));
    expect(audit()).toBe(1); // still above the limit, below the peak: nothing shared changed
    record(p, minutes(p.now - 3 * MINUTE, [8.0]));
    expect(audit()).toBe(2); // a new peak is written to the open alert
    record(p, minutes(p.now - 2 * MINUTE, [3.0]));
    expect(audit()).toBe(3); // back in range: the alert closes
    expect(p.call('audit.verify', {}).ok).toBe(true);
  });

  test('hourly history stays exact over many calls, and error samples do not count in it', () => {
    const p = plant();
    sensor(p);
    const start = p.now - 3 * HOUR - 40 * MINUTE; // not on an hour boundary
    const samples: Sample[] = [];
    for (let i = 0; i < 1200; i++) {
      const at = start + i * 10_000;
      samples.push({ at, value: i % 97 === 5 ? null : wave(i), ...(i % 97 === 5 ? { error: 'timeout' } : {}) });
      samples.push({ at, quantity: 'humidity', value: 80 + (i % 11) });
    }
    let stored = 0;
    for (let k = 0; k < samples.length; k += 150) stored += record(p, samples.slice(k, k + 150)).stored;
    expect(stored).toBe(2400);

    const expected = new Map<string, { n: number; min: number; max: number; sum: number }>();
    for (const s of samples) {
      if (s.value === null) continue;
      const key = `${s.quantity ?? 'temperature'} ${Math.floor(s.at / HOUR) * HOUR}`;
      const e = expected.get(key);
      if (!e) expected.set(key, { n: 1, min: s.value, max: s.value, sum: s.value });
      else Object.assign(e, { n: e.n + 1, min: Math.min(e.min, s.value), max: Math.max(e.max, s.value), sum: e.sum + s.value });
    }
    const rows = hourly(p);
    expect(rows).toHaveLength(expected.size);
    expect(rows).toHaveLength(8); // 4 hours touched, two quantities
    for (const row of rows) {
      const e = expected.get(`${row.quantity} ${row.hour_start}`)!;
      expect(row).toMatchObject({ n: e.n, min: e.min, max: e.max });
      expect(row.sum).toBeCloseTo(e.sum, 6);
    }
    const errors = p.ws.q.sql<{ n: number }>("SELECT COUNT(*) AS n FROM sensor_samples WHERE value IS NULL AND error = 'timeout'")[0]!.n;
    expect(errors).toBe(13);
  });

  test('a retried call stores nothing twice and counts nothing twice', () => {
    const p = plant();
    sensor(p);
    const batch = minutes(p.now - 10 * MINUTE, [2, 2.5, 3, 3.5]);
    expect(record(p, batch).stored).toBe(4);
    const before = { hourly: hourly(p), changes: p.ws.q.sql('SELECT COUNT(*) AS n FROM change_log') };
    expect(record(p, batch).stored).toBe(0);
    // An overlapping retry adds only what is new.
    expect(record(p, [...batch.slice(2), { at: p.now - 5 * MINUTE, value: 1 }]).stored).toBe(1);
    const [row] = hourly(p);
    expect(row).toMatchObject({ n: before.hourly[0]!.n + 1, min: 1, max: 3.5 });
    expect(row!.sum).toBeCloseTo(12, 9);
    expect(p.ws.q.sql('SELECT COUNT(*) AS n FROM change_log')).toEqual(before.changes); // samples are not replicated
  });

  test('raw samples older than the retention are pruned a batch at a time; their hours stay', () => {
    const p = plant();
    sensor(p);
    const old = p.now - SAMPLE_RETENTION_MS - DAY;
    const samples = Array.from({ length: 700 }, (_, i) => ({ at: old + i * MINUTE, value: 3 }));
    record(p, samples.slice(0, 350));
    record(p, samples.slice(350));
    const raw = () => p.ws.q.sql<{ n: number }>('SELECT COUNT(*) AS n FROM sensor_samples')[0]!.n;
    // Samples that arrive already too old (a PC back after months) are pruned at once.
    expect(raw()).toBe(0);
    const hours = hourly(p);
    expect(hours.reduce((n, h) => n + h.n, 0)).toBe(700);
    record(p, [{ at: p.now, value: 2 }]);
    expect(raw()).toBe(1);
  });

  test('pruning is bounded per call, so a large backlog never stalls one recording', () => {
    const p = plant();
    sensor(p);
    const old = p.now - SAMPLE_RETENTION_MS - DAY;
    // A backlog left by a PC that was off (inserted directly, as a long-closed PC would hold it).
    const device = p.ws.q.sql<{ id: string }>("SELECT id FROM devices WHERE code = 'TS-1'")[0]!.id;
    const insert = p.ws.db.prepare("INSERT INTO sensor_samples (device_id, quantity, at, value) VALUES (?, 'temperature', ?, 2)");
    p.ws.db.transaction(() => {
      for (let i = 0; i < 1200; i++) insert.run(device, old + i * MINUTE);
    })();
    const raw = () => p.ws.q.sql<{ n: number }>('SELECT COUNT(*) AS n FROM sensor_samples WHERE at < ?', p.now - SAMPLE_RETENTION_MS)[0]!.n;
    record(p, [{ at: p.now, value: 2 }]);
    expect(raw()).toBe(700);
    record(p, [{ at: p.now + MINUTE, value: 2 }]);
    expect(raw()).toBe(200);
    record(p, [{ at: p.now + 2 * MINUTE, value: 2 }]);
    expect(raw()).toBe(0);
  });
});

describe('temperature alerts', () => {
  test('a breach shorter than the delay raises nothing', () => {
    const p = plant();
    sensor(p);
    const start = p.now - HOUR;
    // Five minutes above 4 °C measured from the first breaching sample would be 5 samples + 1; here 4 minutes.
    const result = record(p, minutes(start, [3, 5, 6, 6.5, 5, 4.5, 3.9, 3]));
    expect(result.alerts).toEqual([]);
    expect(alerts(p)).toEqual([]);
  });

  test('a breach that lasts the delay opens one alert from its first sample; back in range closes it', () => {
    const p = plant();
    sensor(p);
    const start = p.now - HOUR;
    const values = [3, 4.5, 5, 7.2, 6, 5, 5.5, 6.1, 3.8, 3];
    const result = record(p, minutes(start, values));
    const opened = result.alerts[0]!;
    const closed = result.alerts[1]!;
    expect(result.alerts).toHaveLength(2);
    expect(opened).toEqual<AlertEvent>({ id: opened.id, device: 'TS-1', kind: 'above', state: 'open', value: 5.5, limit: 4, at: start + MINUTE });
    expect(closed).toEqual<AlertEvent>({ id: opened.id, device: 'TS-1', kind: 'above', state: 'closed', value: 3.8, limit: 4, at: start + 8 * MINUTE });
    expect(alerts(p)).toEqual([{ kind: 'above', limit_value: 4, started_at: start + MINUTE, ended_at: start + 8 * MINUTE, peak_value: 7.2 }]);
    const list = p.call('alerts.list', {}).rows;
    expect(list[0]).toMatchObject({ device_code: 'TS-1', device_name: 'Датчик TS-1', location_code: 'BF-CR1', equipment_code: null, quantity: 'temperature' });
  });

  test('recorded one sample per call (as after restarts), the same breach gives the same alert', () => {
    const p = plant();
    sensor(p);
    const start = p.now - HOUR;
    const events = minutes(start, [3, 4.5, 5, 7.2, 6, 5, 5.5, 6.1, 3.8, 3]).map((s) => record(p, [s]).alerts);
    expect(events.map((e) => e.map((a) => a.state))).toEqual([[], [], [], [], [], [], ['open'], [], ['closed'], []]);
    expect(alerts(p)).toEqual([{ kind: 'above', limit_value: 4, started_at: start + MINUTE, ended_at: start + 8 * MINUTE, peak_value: 7.2 }]);
  });

  test('a continuing breach keeps one alert open and tracks its worst value', () => {
    const p = plant();
    sensor(p);
    const start = p.now - HOUR;
    record(p, minutes(start, [5, 5, 5, 5, 5, 5]));
    record(p, minutes(start + 6 * MINUTE, [8.5, 6]));
    const open = p.call('alerts.list', { open: true });
    expect(open.total).toBe(1);
    expect(open.rows[0]).toMatchObject({ kind: 'above', peak_value: 8.5, ended_at: null, started_at: start });
    expect(p.call('sensors.latest', {}).rows.find((r) => r.quantity === 'temperature')).toMatchObject({ value: 6, open_alert: true });
  });

  test('too cold is an alert of its own, judged against the minimum', () => {
    const p = plant();
    sensor(p, { alertDelayMs: 0 });
    const result = record(p, minutes(p.now - HOUR, [1, -0.5, -1.5, 0]));
    expect(result.alerts.map((a) => [a.kind, a.state, a.value, a.limit])).toEqual([
      ['below', 'open', -0.5, 0],
      ['below', 'closed', 0, 0],
    ]);
    expect(alerts(p)[0]!.peak_value).toBe(-1.5);
  });

  test('a sensor that gives only errors for the delay raises a sensor alert; the next good value closes it', () => {
    const p = plant();
    sensor(p);
    const start = p.now - HOUR;
    const errors = Array.from({ length: 7 }, (_, i) => ({ at: start + (i + 1) * MINUTE, value: null, error: 'timeout' }));
    const result = record(p, [{ at: start, value: 2 }, ...errors.slice(0, 4)]);
    expect(result.alerts).toEqual([]); // four minutes of silence
    const later = record(p, [...errors.slice(4), { at: start + 8 * MINUTE, value: 2.5 }]);
    expect(later.alerts.map((a) => [a.kind, a.state, a.at, a.value, a.limit])).toEqual([
      ['sensor', 'open', start + MINUTE, null, null],
      ['sensor', 'closed', start + 8 * MINUTE, 2.5, null],
    ]);
  });

  test('an error in the middle of a breach neither ends it nor restarts its clock', () => {
    const p = plant();
    sensor(p);
    const start = p.now - HOUR;
    const result = record(p, [...minutes(start, [6, 6, null, 6, 6, 6])]);
    expect(result.alerts.map((a) => [a.kind, a.state, a.at])).toEqual([['above', 'open', start]]);
  });

  test('the sensor’s own limits come before its location’s', () => {
    const p = plant();
    sensor(p, { tempMax: 2, alertDelayMs: 0 }, 'TS-OWN');
    sensor(p, { alertDelayMs: 0 }, 'TS-LOC');
    sensor(p, { location: null, equipment: 'BF-SMOKER-1', alertDelayMs: 0 }, 'TS-NONE');
    const at = p.now - MINUTE;
    expect(record(p, [{ at, value: 3 }], 'TS-OWN').alerts.map((a) => [a.kind, a.limit])).toEqual([['above', 2]]);
    expect(record(p, [{ at, value: 3 }], 'TS-LOC').alerts).toEqual([]);
    expect(record(p, [{ at, value: -0.1 }], 'TS-LOC').alerts.map((a) => [a.kind, a.limit])).toEqual([]); // same key: a duplicate
    expect(record(p, [{ at: at + 1, value: -0.1 }], 'TS-LOC').alerts.map((a) => [a.kind, a.limit])).toEqual([['below', 0]]);
    // Equipment carries no limits: nothing to judge against.
    expect(record(p, [{ at, value: 95 }], 'TS-NONE').alerts).toEqual([]);
    const latest = p.call('sensors.latest', {}).rows.filter((r) => r.quantity === 'temperature');
    expect(latest.map((r) => [r.device, r.min, r.max, r.location, r.equipment])).toEqual([
      ['TS-LOC', 0, 4, 'BF-CR1', null],
      ['TS-NONE', null, null, null, 'BF-SMOKER-1'],
      ['TS-OWN', 0, 2, 'BF-CR1', null],
    ]);
  });

  test('humidity is stored but never raises an alert', () => {
    const p = plant();
    sensor(p, { alertDelayMs: 0 });
    const result = record(p, [{ at: p.now, quantity: 'humidity', value: 100 }, { at: p.now + 1, quantity: 'humidity', value: null, error: 'crc' }]);
    expect(result).toEqual({ stored: 2, alerts: [] });
    const humidity = p.call('sensors.latest', {}).rows.find((r) => r.quantity === 'humidity')!;
    expect(humidity).toMatchObject({ at: p.now + 1, value: null, min: null, max: null, open_alert: false });
  });
});

describe('acknowledging alerts', () => {
  function openAlert(p: TestPlant): string {
    sensor(p, { alertDelayMs: 0 });
    return record(p, [{ at: p.now - MINUTE, value: 9 }]).alerts[0]!.id;
  }

  test('a person notes the corrective action; the alert stays open until the value returns', () => {
    const p = plant();
    const id = openAlert(p);
    const qc = p.userToken('qc', ['quality_inspector']);
    p.now += MINUTE;
    const acknowledged = p.call('alerts.acknowledge', { id, note: 'дверь камеры закрыта, продукт перемещён в BF-CR2' }, qc);
    expect(acknowledged).toMatchObject({ acknowledged_at: p.now, acknowledged_by_name: 'qc', ended_at: null, note: 'дверь камеры закрыта, продукт перемещён в BF-CR2' });
    expect(p.call('alerts.list', { unacknowledged: true }).total).toBe(0);
    expect(p.call('alerts.list', { open: true }).total).toBe(1);
    record(p, [{ at: p.now, value: 3 }]);
    expect(p.call('alerts.list', { open: true }).total).toBe(0);
    expect(p.call('alerts.list', { open: false }).rows[0]).toMatchObject({ id, ended_at: p.now, acknowledged_by_name: 'qc' });
    const audit = p.call('audit.list', { operation: 'alerts.acknowledge' }).rows[0]!;
    expect(audit.username).toBe('qc');
  });

  test('twice, without a note, unknown, or by someone without the right: refused and nothing changes', () => {
    const p = plant();
    const id = openAlert(p);
    expectRefusal(p, 'alerts.acknowledge', { id, note: '  ' }, { code: 'VALIDATION', field: 'note' });
    expectRefusal(p, 'alerts.acknowledge', { id, note: 'ок' }, { code: 'FORBIDDEN' }, p.userToken('op', ['operator']));
    expectRefusal(p, 'alerts.acknowledge', { id: '0190f5a0-0000-7000-8000-000000000001', note: 'ок' }, { code: 'NOT_FOUND', field: 'id' });
    p.call('alerts.acknowledge', { id, note: 'температура восстановлена' }, p.userToken('tech', ['maintenance']));
    const twice = expectRefusal(p, 'alerts.acknowledge', { id, note: 'ещё раз' }, { code: 'INVALID_STATE', field: 'id' });
    expect(twice.message.en).toContain('acknowledged');
  });

  test('the list is newest first, filtered and paged, with a total', () => {
    const p = plant();
    sensor(p, { alertDelayMs: 0 });
    const start = p.now - HOUR;
    record(p, minutes(start, [9, 3, -2, 3, 9]));
    const all = p.call('alerts.list', {});
    expect(all.total).toBe(3);
    expect(all.rows.map((r) => [r.kind, r.started_at, r.ended_at])).toEqual([
      ['above', start + 4 * MINUTE, null],
      ['below', start + 2 * MINUTE, start + 3 * MINUTE],
      ['above', start, start + MINUTE],
    ]);
    const page = p.call('alerts.list', { open: false, limit: 1, offset: 1 });
    expect(page.total).toBe(2);
    expect(page.rows.map((r) => r.started_at)).toEqual([start]);
  });
});

describe('sensor history for charts', () => {
  /** A day of one-minute temperatures ending now. */
  function day(p: TestPlant) {
    sensor(p, { alertDelayMs: DAY });
    const start = p.now - DAY;
    const values = Array.from({ length: 1440 }, (_, i) => wave(i));
    for (let k = 0; k < values.length; k += 500) record(p, minutes(start + k * MINUTE, values.slice(k, k + 500)));
    return { start, values };
  }

  test('raw samples when they fit in maxPoints', () => {
    const p = plant();
    const { start, values } = day(p);
    const series = p.call('sensors.series', { device: 'TS-1', from: start, to: start + 6 * HOUR });
    expect(series.resolution).toBe('raw');
    expect(series.points).toHaveLength(360);
    expect(series.points[7]).toEqual({ at: start + 7 * MINUTE, min: values[7], avg: values[7], max: values[7], n: 1 });
    expect(series.limits).toEqual({ min: 0, max: 4 });
  });

  test('buckets of whole minutes from raw samples when they do not', () => {
    const p = plant();
    const { start, values } = day(p);
    const series = p.call('sensors.series', { device: 'TS-1', from: start, to: start + DAY, maxPoints: 500 });
    expect(series).toMatchObject({ resolution: 'bucket', stepMs: 3 * MINUTE });
    expect(series.points).toHaveLength(480);
    const b = values.slice(30, 33); // bucket 10
    expect(series.points[10]).toMatchObject({ at: start + 30 * MINUTE, n: 3, min: Math.min(...b), max: Math.max(...b) });
    expect(series.points[10]!.avg).toBeCloseTo((b[0]! + b[1]! + b[2]!) / 3, 9);
  });

  test('whole hours from the hourly history for long periods or beyond the retention', () => {
    const p = plant();
    const { start, values } = day(p);
    const long = p.call('sensors.series', { device: 'TS-1', from: start - 20 * DAY, to: start + DAY, maxPoints: 100 });
    expect(long).toMatchObject({ resolution: 'hour', stepMs: 6 * HOUR });
    expect(long.points).toHaveLength(4); // only the last day has data
    const hours = values.slice(0, 360);
    expect(long.points[0]).toMatchObject({ at: start, n: 360, min: Math.min(...hours), max: Math.max(...hours) });
    // A short period, but older than the raw samples are kept: hours too.
    p.advance(SAMPLE_RETENTION_MS);
    const old = p.call('sensors.series', { device: 'TS-1', from: start, to: start + 3 * HOUR });
    expect(old).toMatchObject({ resolution: 'hour', stepMs: HOUR });
    expect(old.points.map((pt) => pt.n)).toEqual([60, 60, 60]);
  });

  test('a year of one-minute samples is charted in at most maxPoints points, exactly', () => {
    const p = plant();
    sensor(p);
    const device = p.ws.q.sql<{ id: string }>("SELECT id FROM devices WHERE code = 'TS-1'")[0]!.id;
    const minutesInYear = 365 * 1440;
    const from = p.now - 365 * DAY; // T0 is on an hour boundary, and so is this
    const value = (i: number) => ((i * 37) % 1000) / 10 - 40;
    // Setup straight into the tables: 525 600 samples and their hours, in one transaction.
    p.ws.db.transaction(() => {
      p.ws.db
        .prepare(
          `WITH RECURSIVE m(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM m WHERE i < ? - 1)
           INSERT INTO sensor_samples (device_id, quantity, at, value) SELECT ?, 'temperature', ? + i * 60000, ((i * 37) % 1000) / 10.0 - 40 FROM m`,
        )
        .run(minutesInYear, device, from);
      p.ws.db
        .prepare(
          `INSERT INTO sensor_hourly (device_id, quantity, hour_start, n, min, max, sum)
           SELECT device_id, quantity, (at / 3600000) * 3600000, COUNT(*), MIN(value), MAX(value), SUM(value)
           FROM sensor_samples WHERE device_id = ? GROUP BY 1, 2, 3`,
        )
        .run(device);
    })();

    const series = p.call('sensors.series', { device: 'TS-1', from, to: p.now, maxPoints: 500 });
    expect(series).toMatchObject({ resolution: 'hour', stepMs: 18 * HOUR });
    expect(series.points).toHaveLength(Math.ceil((365 * 24) / 18));
    const perBucket = 18 * 60;
    series.points.forEach((point, k) => {
      const slice = Array.from({ length: Math.min(perBucket, minutesInYear - k * perBucket) }, (_, j) => value(k * perBucket + j));
      expect(point.at).toBe(from + k * 18 * HOUR);
      expect(point.n).toBe(slice.length);
      expect(point.min).toBeCloseTo(Math.min(...slice), 9);
      expect(point.max).toBeCloseTo(Math.max(...slice), 9);
      expect(point.avg).toBeCloseTo(slice.reduce((a, b) => a + b, 0) / slice.length, 6);
    });
    // The last day of that year, from the raw samples.
    const lastDay = p.call('sensors.series', { device: 'TS-1', from: p.now - DAY, to: p.now, maxPoints: 1440 });
    expect(lastDay.resolution).toBe('raw');
    expect(lastDay.points).toHaveLength(1440);
    expect(lastDay.points[0]!.avg).toBeCloseTo(value(minutesInYear - 1440), 9);
  });

  test('an empty or backward period is refused; a period without samples has no points', () => {
    const p = plant();
    sensor(p);
    expectRefusal(p, 'sensors.series', { device: 'TS-1', from: p.now, to: p.now }, { code: 'INVALID_PERIOD', field: 'to' });
    expectRefusal(p, 'sensors.series', { device: 'TS-9', from: p.now - HOUR, to: p.now }, { code: 'DEVICE_NOT_FOUND', field: 'device' });
    expect(p.call('sensors.series', { device: 'TS-1', quantity: 'humidity', from: p.now - HOUR, to: p.now })).toEqual({
      resolution: 'raw',
      stepMs: 0,
      points: [],
      limits: { min: null, max: null },
    });
  });
});

describe('refused recordings change nothing', () => {
  test('an out-of-range value, or no samples at all', () => {
    const p = plant();
    sensor(p);
    const before = p.snapshot();
    expectReadable(p.refuseAsDevice('TS-1', 'sensors.record', { device: 'TS-1', samples: [{ at: p.now, quantity: 'temperature', value: 5000 }] }), {
      code: 'VALIDATION',
      field: 'samples.0.value',
    });
    expectReadable(p.refuseAsDevice('TS-1', 'sensors.record', { device: 'TS-1', samples: [] }), { code: 'VALIDATION', field: 'samples' });
    expect(p.snapshot()).toEqual(before);
  });
});
