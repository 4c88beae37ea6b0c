import { describe, expect, it } from 'vitest';
import { LAB_LINE_PRESETS } from '../../main/contract/device-presets.js';
import { LineReader, commandBytes, matchLine } from '../../native/protocols/lab-line.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('LineReader', () => {
  it('ends lines at CR, LF or CR LF and skips blank lines', () => {
    const reader = new LineReader();
    expect(reader.push(bytes('one\rtwo\nthree\r\n\r\n  \r\nfour'))).toEqual([{ line: 'one' }, { line: 'two' }, { line: 'three' }]);
    expect(reader.push(bytes('\r'))).toEqual([{ line: 'four' }]);
  });

  it('joins a line that arrives in pieces, even inside a UTF-8 character', () => {
    const reader = new LineReader();
    const all = bytes('Влажность 12,5\r\n');
    const events = [reader.push(all.subarray(0, 3)), reader.push(all.subarray(3, 9)), reader.push(all.subarray(9))].flat();
    expect(events).toEqual([{ line: 'Влажность 12,5' }]);
  });

  it('drops a line longer than the bound, once, and reads the next one', () => {
    const reader = new LineReader(16);
    expect(reader.push(bytes('x'.repeat(10)))).toEqual([]);
    expect(reader.push(bytes('x'.repeat(10)))).toEqual([]);
    expect(reader.push(bytes('x\r\nok\r\n'))).toEqual([{ overflow: 21 }, { line: 'ok' }]);
  });
});

describe('line profiles', () => {
  it('Sartorius MA: the moisture line, sign and all', () => {
    const p = LAB_LINE_PRESETS['sartorius-ma'].profile;
    expect(matchLine(p, 'Moist +       22 %M ')).toEqual({ value: '22', numeric: 22 });
    expect(matchLine(p, 'Moist -     0.45 %M')).toEqual({ value: '-0.45', numeric: -0.45 });
    expect(matchLine(p, 'Moist +   22,4 %M')).toEqual({ value: '22.4', numeric: 22.4 });
    expect(matchLine(p, 'N     +    67.87 g  ')).toBeNull(); // the weight line is not the result
    expect(matchLine(p, 'Standby         Off ')).toBeNull();
  });

  it('Ohaus MB: the reading after the elapsed time, asked with P', () => {
    const p = LAB_LINE_PRESETS['ohaus-mb'].profile;
    expect(matchLine(p, '  5:30    12.34 %MC')).toEqual({ value: '12.34', numeric: 12.34 });
    expect(matchLine(p, ' 12:05     7,1 % MC')).toEqual({ value: '7.1', numeric: 7.1 });
    expect(matchLine(p, '  5:30    87.66 %SO')).toBeNull();
    expect(p.command).toBe('P');
  });

  it('Hanna pH: a line holding only the pH, asked with PH? and a bare CR', () => {
    const p = LAB_LINE_PRESETS['hanna-ph'].profile;
    expect(matchLine(p, 'pH 7.01')).toEqual({ value: '7.01', numeric: 7.01 });
    expect(matchLine(p, '  6,45 pH ')).toEqual({ value: '6.45', numeric: 6.45 });
    expect(matchLine(p, 'mV 123.4 at 25.0 C')).toBeNull();
    expect(Array.from(commandBytes(p.command))).toEqual(Array.from(bytes('PH?\r')));
  });

  it('a custom profile: value group anywhere, non-numbers kept as text', () => {
    const p = { pattern: String.raw`^RES\s*(?<value>\S+)\s*$` };
    expect(matchLine(p, 'RES 3.9')).toEqual({ value: '3.9', numeric: 3.9 });
    expect(matchLine(p, 'RES ----')).toEqual({ value: '----', numeric: null });
    expect(matchLine(p, 'ERR 3')).toBeNull();
  });

  it('commands end with CR LF unless the profile ends them', () => {
    expect(Array.from(commandBytes('P'))).toEqual(Array.from(bytes('P\r\n')));
    expect(Array.from(commandBytes('READ\n'))).toEqual(Array.from(bytes('READ\n')));
  });
});
