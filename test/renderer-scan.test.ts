// The keyboard-wedge detector of the renderer (renderer/src/components/scanWedge.ts): a scanner
// typing into the app is told from a person by timing, its keys are kept out of the input, and a
// person's typing is never touched.
import { describe, expect, it } from 'vitest';
import { GS, KeyboardWedge, WEDGE_TIMING, wedgeGapFrom, type WedgeAction, type WedgeKey } from '../renderer/src/components/scanWedge.js';

/** Types `text` one key every `gapMs`, starting at `start`; returns what the wedge said to each key. */
function type(wedge: KeyboardWedge, text: string, start: number, gapMs: number): WedgeAction[] {
  return [...text].map((key, i) => wedge.key({ key, at: start + i * gapMs }));
}
const keys = (events: WedgeKey[], wedge: KeyboardWedge) => events.map((e) => wedge.key(e));

describe('keyboard wedge', () => {
  it('recognises a fast burst ended by Enter as one scan and takes back what reached the input', () => {
    const wedge = new KeyboardWedge();
    const label = '0104607012345675';
    const actions = type(wedge, label, 1000, 8);
    // The first two keys cannot be told from typing yet: they go through.
    expect(actions.slice(0, 2)).toEqual([{ kind: 'pass' }, { kind: 'pass' }]);
    // The third makes it a scan: it is kept out and the two that went through are taken back.
    expect(actions[2]).toEqual({ kind: 'swallow', retract: '01' });
    expect(actions.slice(3).every((a) => a.kind === 'swallow' && a.retract === '')).toBe(true);
    expect(wedge.key({ key: 'Enter', at: 1000 + label.length * 8 })).toEqual({ kind: 'scan', raw: label });
    expect(wedge.active).toBe(false);
  });

  it('never intercepts a person typing, however long the text, and lets their Enter through', () => {
    const wedge = new KeyboardWedge();
    const actions = type(wedge, 'ЛОТ-2026-0042 партия', 0, 90);
    expect(actions.every((a) => a.kind === 'pass')).toBe(true);
    expect(wedge.key({ key: 'Enter', at: 5000 })).toEqual({ kind: 'pass' });
    expect(wedge.idle(10_000)).toBeNull();
  });

  it('a held key is a person, however fast it repeats: nothing is swallowed or taken back', () => {
    const wedge = new KeyboardWedge();
    const held = [{ key: '0', at: 0 }, ...Array.from({ length: 20 }, (_, i) => ({ key: '0', at: 500 + i * 10, repeat: true }))];
    expect(keys(held, wedge).every((a) => a.kind === 'pass')).toBe(true);
    expect(wedge.active).toBe(false);
    expect(wedge.key({ key: 'Enter', at: 800 })).toEqual({ kind: 'pass' });
    expect(wedge.idle(10_000)).toBeNull();
    // The same keys unflagged are a scan: it is the repeat flag that tells them apart.
    const unflagged = new KeyboardWedge();
    keys(held.map(({ key, at }) => ({ key, at })), unflagged);
    expect(unflagged.active).toBe(true);
  });

  it('takes two fast keys (a rollover) followed by a slow one for typing', () => {
    const wedge = new KeyboardWedge();
    const actions = [
      wedge.key({ key: 'a', at: 0 }),
      wedge.key({ key: 's', at: 12 }),
      wedge.key({ key: 'd', at: 12 + WEDGE_TIMING.gapMs }),
      wedge.key({ key: 'f', at: 200 }),
    ];
    expect(actions.every((a) => a.kind === 'pass')).toBe(true);
    expect(wedge.active).toBe(false);
  });

  it('ends a scan without a suffix after the idle time, not before', () => {
    const wedge = new KeyboardWedge();
    type(wedge, '4607012345675', 0, 5);
    const last = 12 * 5;
    expect(wedge.active).toBe(true);
    expect(wedge.idle(last + WEDGE_TIMING.idleMs - 1)).toBeNull();
    expect(wedge.idle(last + WEDGE_TIMING.idleMs)).toBe('4607012345675');
    // Afterwards the keyboard is a person's again.
    expect(wedge.key({ key: 'x', at: 5000 })).toEqual({ kind: 'pass' });
  });

  it('keeps a scan going through a pause shorter than the idle time', () => {
    const wedge = new KeyboardWedge();
    type(wedge, '0104', 0, 5);
    const more = type(wedge, '6070', 15 + 120, 5);
    expect(more.every((a) => a.kind === 'swallow')).toBe(true);
    expect(wedge.key({ key: 'Enter', at: 400 })).toEqual({ kind: 'scan', raw: '01046070' });
  });

  it('reads GS from Ctrl+] and from the control character, and never takes it back from the input', () => {
    const wedge = new KeyboardWedge();
    const actions = keys(
      [
        { key: '1', at: 0 },
        { key: ']', at: 4, ctrl: true },
        { key: '0', at: 8 },
        { key: 'A', at: 12 },
        { key: GS, at: 16 },
        { key: '1', at: 20 },
        { key: '7', at: 24 },
      ],
      wedge,
    );
    expect(actions[2]).toEqual({ kind: 'swallow', retract: '1' });
    expect(wedge.key({ key: 'Enter', at: 30 })).toEqual({ kind: 'scan', raw: `1${GS}0A${GS}17` });
  });

  it('ignores Shift between the characters of a scan of capitals', () => {
    const wedge = new KeyboardWedge();
    const events: WedgeKey[] = [];
    for (const [i, c] of [...'ABC12'].entries()) {
      if (/[A-Z]/.test(c)) events.push({ key: 'Shift', at: i * 10 });
      events.push({ key: c, at: i * 10 + 2 });
    }
    const actions = keys(events, wedge);
    // Shift, A, Shift, B and the Shift before C go through; C makes it a scan and takes back "AB".
    expect(actions.filter((a) => a.kind === 'pass')).toHaveLength(5);
    expect(actions[5]).toEqual({ kind: 'swallow', retract: 'AB' });
    expect(wedge.key({ key: 'Enter', at: 60 })).toEqual({ kind: 'scan', raw: 'ABC12' });
  });

  it('lets shortcuts through and does not count them as characters', () => {
    const wedge = new KeyboardWedge();
    const actions = keys(
      [
        { key: 'v', at: 0, ctrl: true },
        { key: 'c', at: 5, meta: true },
        { key: 'x', at: 10, alt: true },
        { key: 'Backspace', at: 15 },
      ],
      wedge,
    );
    expect(actions.every((a) => a.kind === 'pass')).toBe(true);
    expect(wedge.active).toBe(false);
  });

  it('reads a second scan right after the first one', () => {
    const wedge = new KeyboardWedge();
    type(wedge, 'LOT1', 0, 5);
    expect(wedge.key({ key: 'Enter', at: 25 })).toEqual({ kind: 'scan', raw: 'LOT1' });
    const second = type(wedge, 'LOT2', 300, 5);
    expect(second[2]).toEqual({ kind: 'swallow', retract: 'LO' });
    expect(wedge.key({ key: 'Tab', at: 330 })).toEqual({ kind: 'scan', raw: 'LOT2' });
  });

  it('follows the timing it is given', () => {
    const wedge = new KeyboardWedge({ gapMs: 60, burstKeys: 4, idleMs: 500 });
    const actions = type(wedge, 'abcd', 0, 50);
    expect(actions.map((a) => a.kind)).toEqual(['pass', 'pass', 'pass', 'swallow']);
    expect(wedge.idle(150 + 499)).toBeNull();
    expect(wedge.idle(150 + 500)).toBe('abcd');
  });
});

describe('the gap a PC sets for a slow scanner', () => {
  it('takes a whole number of milliseconds within 10…80, and falls back to 30 for anything else', () => {
    expect(wedgeGapFrom(null)).toBe(WEDGE_TIMING.gapMs);
    expect(wedgeGapFrom('60')).toBe(60);
    for (const bad of ['', '5', '81', '45.5', 'abc', '-30']) expect(wedgeGapFrom(bad), bad).toBe(WEDGE_TIMING.gapMs);
  });

  it('a Bluetooth scanner 50 ms a key is a scan with a 60 ms gap, and typing by a person is still not', () => {
    const slow = new KeyboardWedge({ ...WEDGE_TIMING, gapMs: 60 });
    expect(type(slow, '0104607009', 0, 50).at(-1)?.kind).toBe('swallow');
    const person = new KeyboardWedge({ ...WEDGE_TIMING, gapMs: 60 });
    expect(type(person, 'A777AA', 10_000, 120).every((a) => a.kind === 'pass')).toBe(true);
  });
});
