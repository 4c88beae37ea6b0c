import { describe, expect, it } from 'vitest';
import {
  LabelError,
  gs1HumanReadable,
  mmToDots,
  toTspl,
  toZpl,
  tsplString,
  validateZpl,
  zplFieldHex,
  type Label,
} from '../../native/protocols/labels.js';

const GTIN = '04607001000013'; // check digit 3
const OMUL = [
  { ai: '01', value: GTIN },
  { ai: '10', value: 'OM2611230001' },
  { ai: '11', value: '261123' },
  { ai: '17', value: '270523' },
  { ai: '3103', value: '012345' },
];

const carton = (over: Partial<Label> = {}): Label => ({
  widthMm: 100,
  heightMm: 150,
  dpi: 203,
  copies: 2,
  elements: [
    { kind: 'box', x: 2, y: 2, widthMm: 96, heightMm: 146 },
    { kind: 'text', x: 5, y: 5, heightMm: 6, text: '热熏秋白鲑' },
    { kind: 'text', x: 5, y: 13, heightMm: 4, text: 'Hot-smoked omul' },
    { kind: 'text', x: 5, y: 19, heightMm: 4, text: 'Омуль горячего копчения' },
    { kind: 'text', x: 5, y: 25, heightMm: 3, text: '原产国：俄罗斯 / Country of origin: Russia' },
    { kind: 'barcode128', x: 5, y: 100, heightMm: 25, gs1: OMUL },
  ],
  ...over,
});

/** Field data of every ^FD…^FS, with ^FH escapes decoded as UTF-8 bytes. */
function fields(zpl: string): string[] {
  return [...zpl.matchAll(/\^FH\^FD([^^~]*)\^FS/g)].map((m) => {
    const bytes: number[] = [];
    const s = m[1]!;
    for (let i = 0; i < s.length; ) {
      if (s[i] === '_') {
        bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
        i += 3;
      } else {
        const ch = String.fromCodePoint(s.codePointAt(i)!);
        bytes.push(...Buffer.from(ch, 'utf8'));
        i += ch.length;
      }
    }
    return Buffer.from(bytes).toString('utf8');
  });
}

describe('ZPL carton label (hot-smoked omul)', () => {
  const zpl = toZpl(carton());

  it('is a valid, single UTF-8 format with size and copies', () => {
    expect(validateZpl(zpl)).toEqual([]);
    const lines = zpl.trim().split('\n');
    expect(lines.slice(0, 4)).toEqual(['^XA', '^CI28', '^PW800', '^LL1200']);
    expect(lines.slice(-2)).toEqual(['^PQ2', '^XZ']);
    expect(zpl.match(/\^XA/g)).toHaveLength(1);
  });

  it('keeps Chinese, English and Russian text as UTF-8 with ^A0N sizes in dots', () => {
    expect(zpl).toContain('^FO40,40^A0N,48,48^FH^FD热熏秋白鲑^FS');
    expect(zpl).toContain('^FO40,152^A0N,32,32^FH^FDОмуль горячего копчения^FS');
    expect(fields(zpl)).toContain('原产国：俄罗斯 / Country of origin: Russia');
  });

  it('uses a downloaded font for CJK text when configured', () => {
    const z = toZpl(carton(), { cjkFont: 'E:SIMSUN.TTF' });
    expect(z).toContain('^A@N,48,48,E:SIMSUN.TTF^FH^FD热熏秋白鲑^FS');
    expect(z).toContain('^A0N,32,32^FH^FDHot-smoked omul^FS');
    expect(validateZpl(z)).toEqual([]);
  });

  it('encodes GS1-128 with FNC1 start, set C digits, >6/>5 switches and >8 after the lot', () => {
    expect(zpl).toContain('^FO40,800^BY2^BCN,200,N,N,N^FH^FD');
    const data = fields(zpl).find((f) => f.startsWith('>;'));
    // 01 + GTIN + 10 (18 digits) in C, "OM" in B, lot digits back in C, FNC1, fixed AIs in C.
    expect(data).toBe(`>;>801${GTIN}10>6OM>52611230001>811261123172705233103012345`);
    expect(zpl).toContain(`^FH^FD(01)${GTIN}(10)OM2611230001(11)261123(17)270523(3103)012345^FS`);
  });

  it('puts no FNC1 after fixed-length AIs nor after the last variable one', () => {
    const z = toZpl(carton({ elements: [{ kind: 'barcode128', x: 0, y: 0, heightMm: 10, gs1: [OMUL[2]!, OMUL[1]!] }] }));
    expect(fields(z)[0]).toBe('>;>81126112310>6OM>52611230001');
    expect(gs1HumanReadable([OMUL[2]!, OMUL[1]!])).toBe('(11)261123(10)OM2611230001');
  });

  it('escapes > in barcode data and _ through ^FH', () => {
    const z = toZpl(carton({ elements: [{ kind: 'barcode128', x: 0, y: 0, heightMm: 10, gs1: [{ ai: '10', value: 'A>B_C' }] }] }));
    expect(z).toContain('^FD>;>810>6A><B_5FC^FS');
    expect(validateZpl(z)).toEqual([]);
  });

  it('rejects GS1 data that would not scan back (bad check digit, bad characters, no elements)', () => {
    const bad = (gs1: { ai: string; value: string }[]) =>
      toZpl(carton({ elements: [{ kind: 'barcode128', x: 0, y: 0, heightMm: 10, gs1 }] }));
    expect(() => bad([{ ai: '01', value: '04607001000014' }])).toThrow(LabelError);
    expect(() => bad([{ ai: '10', value: 'LOT^XZ' }])).toThrow(/invalid GS1/);
    expect(() => bad([{ ai: '10', value: 'лот' }])).toThrow(LabelError);
    expect(() => bad([])).toThrow(LabelError);
  });
});

describe('ZPL injection', () => {
  const attacks = ['^XZ^XA^FO0,0^FDpwned^FS', '~JR', '~DGR:X.GRF,1,1,FF', 'back\\slash _5E', 'line\r\nbreak\u0000'];

  it.each(attacks)('keeps %j inert and round-trips it', (text) => {
    const zpl = toZpl(carton({ elements: [{ kind: 'text', x: 1, y: 1, heightMm: 3, text }] }));
    expect(validateZpl(zpl)).toEqual([]);
    // The only commands are the encoder's own.
    const cmds = zpl.match(/[\^~][A-Z@][A-Z0-9@]?/g);
    expect(cmds).toEqual(['^XA', '^CI', '^PW', '^LL', '^LH', '^FO', '^A0', '^FH', '^FD', '^FS', '^PQ', '^XZ']);
    expect(zpl).not.toMatch(/[~\\]/);
    expect(fields(zpl)).toEqual([text]);
  });

  it('hex-escapes the command prefixes and the escape indicator', () => {
    expect(zplFieldHex('^~\\_')).toBe('_5E_7E_5C_5F');
    expect(zplFieldHex('Омуль 秋')).toBe('Омуль 秋');
  });
});

describe('dot conversion', () => {
  it('uses 8 dots/mm at 203 dpi and 12 dots/mm at 300 dpi', () => {
    expect(mmToDots(100, 203)).toBe(800);
    expect(mmToDots(100, 300)).toBe(1200);
    expect(mmToDots(2.5, 203)).toBe(20);
    expect(mmToDots(0.3, 300)).toBe(4);
  });

  it('scales the whole label at 300 dpi', () => {
    const z = toZpl(carton({ dpi: 300, copies: 1 }));
    expect(z).toContain('^PW1200\n^LL1800\n');
    expect(z).toContain('^FO60,60^A0N,72,72^FH^FD热熏秋白鲑^FS');
    expect(z).toContain('^FO24,24^GB1152,1752,6^FS');
    expect(z).toContain('^BCN,300,N,N,N');
    expect(z).toContain('^PQ1\n^XZ');
    expect(validateZpl(z)).toEqual([]);
  });

  it('rejects unsupported dpi, negative positions and bad copies', () => {
    expect(() => toZpl(carton({ dpi: 600 as 203 }))).toThrow(LabelError);
    expect(() => toZpl(carton({ elements: [{ kind: 'text', x: -1, y: 0, heightMm: 3, text: 'x' }] }))).toThrow(LabelError);
    expect(() => toZpl(carton({ copies: 0 }))).toThrow(LabelError);
    expect(() => toTspl(carton({ copies: 1.5 }))).toThrow(LabelError);
  });
});

describe('TSPL', () => {
  const tspl = toTspl(carton());
  const lines = tspl.split('\r\n');

  it('writes SIZE, GAP, CLS, TEXT, BOX, BARCODE "128M" and PRINT', () => {
    expect(lines.slice(0, 5)).toEqual(['SIZE 100 mm,150 mm', 'GAP 2 mm,0 mm', 'DIRECTION 1', 'CODEPAGE UTF-8', 'CLS']);
    expect(lines).toContain('BOX 16,16,784,1184,4');
    expect(lines).toContain('TEXT 40,104,"0",0,11,11,"Hot-smoked omul"');
    expect(lines).toContain('TEXT 40,40,"TSS24.BF2",0,2,2,"热熏秋白鲑"');
    expect(lines).toContain(
      `BARCODE 40,800,"128M",200,0,0,2,2,"!105!10201${GTIN}10!100OM!0992611230001!10211261123172705233103012345"`,
    );
    expect(lines).toContain(`TEXT 40,1008,"0",0,7,7,"(01)${GTIN}(10)OM2611230001(11)261123(17)270523(3103)012345"`);
    expect(lines.at(-2)).toBe('PRINT 1,2');
    expect(tspl.endsWith('\r\n')).toBe(true);
  });

  it('escapes quotes and flattens line breaks so text cannot start a command', () => {
    expect(tsplString('say "hi"')).toBe('"say \\["]hi\\["]"');
    const t = toTspl(carton({ elements: [{ kind: 'text', x: 0, y: 0, heightMm: 3, text: 'a"\r\nPRINT 999\r\n"' }] }));
    const ls = t.split('\r\n');
    expect(ls).toContain('TEXT 0,0,"0",0,9,9,"a\\["]  PRINT 999  \\["]"');
    expect(ls.filter((l) => l.startsWith('PRINT'))).toEqual(['PRINT 1,2']);
  });

  it('refuses ! and " inside 128M data', () => {
    expect(() => toTspl(carton({ elements: [{ kind: 'barcode128', x: 0, y: 0, heightMm: 10, gs1: [{ ai: '10', value: 'A!B' }] }] }))).toThrow(/128M/);
  });
});

describe('validateZpl', () => {
  it.each([
    ['missing ^XZ', '^XA^FO0,0^FDx^FS', /without \^XZ/],
    ['^XZ without ^XA', '^XZ', /without \^XA/],
    ['nested ^XA', '^XA^XA^XZ', /nested/],
    ['unclosed field', '^XA^FDabc^XZ', /not closed by \^FS/],
    ['field open at end', '^XA^FDabc', /not closed/],
    ['short command', '^XA^F', /bad command/],
    ['lowercase command', '^XA^fo0,0^XZ', /bad command/],
    ['text outside', 'hello^XA^XZ', /outside/],
    ['command outside', '^FO0,0^XA^XZ', /outside/],
    ['bad hex escape', '^XA^FH^FDa_zz^FS^XZ', /escape/],
    ['empty', '', /no \^XA/],
  ])('rejects %s', (_name, zpl, re) => {
    const errors = validateZpl(zpl);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(re);
  });

  it('accepts ~ commands between formats and several formats', () => {
    expect(validateZpl('~JA\n^XA^FO1,1^FDa^FS^XZ\n^XA^XZ\n')).toEqual([]);
  });
});
