// Each refusal reads in one language: a parameter with words in both (`say(ru, en)`) gives the
// Russian message its Russian words and the English message its English ones. The guard below
// keeps call sites from going back to one "English / Русский" string shown to both readers.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { fill, makeError, say } from '../main/contract/errors.js';
import { DomainError } from '../main/core/domain-error.js';
import { expectRefusal, plant } from './helpers.js';

const CYRILLIC = /[А-Яа-яЁё]/;
const LATIN = /[A-Za-z]/;
const SEPARATOR = '\u241f';

describe('a parameter given in both languages', () => {
  test('puts its own words into each message and its English ones into params', () => {
    const error = makeError('INVALID_STATE', { entity: say('Партия', 'Lot'), key: 'L-1', state: say('заблокирована', 'blocked'), action: say('напечатать этикетку', 'print a label') }, 'lot');
    expect(error.message).toEqual({
      ru: 'Партия L-1 в состоянии «заблокирована»: действие «напечатать этикетку» невозможно',
      en: 'Lot L-1 is "blocked": cannot print a label',
    });
    expect(error.params).toEqual({ entity: 'Lot', key: 'L-1', state: 'blocked', action: 'print a label' });
    expect(error.field).toBe('lot');
    expect(JSON.stringify(error)).not.toContain(SEPARATOR);
  });

  test('leaves plain parameters, numbers and unknown placeholders as they are', () => {
    const params = { lot: 'L-1', location: 'BF-QUAR', available: 500, requested: 600 };
    const error = makeError('INSUFFICIENT_STOCK', params);
    expect(error.params).toEqual(params);
    expect(error.message.en).toBe('Not enough of lot L-1 in BF-QUAR: 500 g available, 600 g requested');
    expect(error.message.ru).toBe('Недостаточно остатка партии L-1 в BF-QUAR: есть 500 г, нужно 600 г');
    expect(fill('{a} / {b} / {c}', { a: 'x', b: 2 })).toBe('x / 2 / {c}');
  });

  test('reads the same when thrown as a DomainError and rethrown as is', () => {
    const thrown = new DomainError('NOT_FOUND', { entity: say('Контейнер', 'Container'), key: 'MSCU1234566' }, 'container_no');
    expect(thrown.message).toBe('Container not found: MSCU1234566');
    expect(thrown.error.message.ru).toBe('Контейнер не найден(а): MSCU1234566');
    expect(DomainError.of(thrown.error).error).toEqual(thrown.error);
  });
});

describe('a service refusal', () => {
  test('names the entity, its state and the action in the reader’s language only', () => {
    const p = plant();
    p.call('locations.upsert', { code: 'BF-CR1', name: 'Камера 1', kind: 'cold_room', active: 0 });
    const line = { product: 'OMUL-RAW', location: 'BF-CR1', produced_at: p.now, gross_g: 1000 };
    const error = expectRefusal(p, 'receipts.create', { supplier: 'ARTEL-BAIKAL', lines: [line] }, { code: 'INVALID_STATE', field: 'lines.0.location' });
    expect(error.message).toEqual({
      ru: 'Место хранения BF-CR1 в состоянии «не используется»: действие «взять в новую работу» невозможно',
      en: 'Location BF-CR1 is "inactive": cannot use it for new work',
    });
    expect(error.params).toEqual({ entity: 'Location', key: 'BF-CR1', state: 'inactive', action: 'use it for new work' });
  });
});

// ── the guard: no mixed-language literal reaches an error's parameters ──────────────────────

/** A string or template literal ("text", with `{}` for each `${…}`), a name, or punctuation. */
interface Token {
  kind: 'text' | 'name' | 'punct';
  value: string;
  line: number;
}

const REGEX_AFTER = new Set(['return', 'typeof', 'case', 'in', 'of', 'void', 'throw', 'else']);

/** Just enough of a TypeScript lexer to see literals, names and brackets; comments are skipped. */
function lex(src: string): Token[] {
  const out: Token[] = [];
  const templates: { text: string; line: number; depth: number }[] = [];
  let depth = 0;
  let line = 1;
  let i = 0;
  const lineAt = (to: number) => {
    for (let k = i; k < to; k++) if (src[k] === '\n') line++;
    i = to;
  };
  /** Reads template text from i up to its closing backtick or the next `${`. */
  const templatePart = () => {
    const t = templates[templates.length - 1]!;
    let k = i;
    while (k < src.length && src[k] !== '`' && !(src[k] === '$' && src[k + 1] === '{')) k += src[k] === '\\' ? 2 : 1;
    t.text += src.slice(i, k);
    if (src[k] === '`') {
      templates.pop();
      out.push({ kind: 'text', value: t.text, line: t.line });
      lineAt(k + 1);
    } else {
      t.text += '{}';
      t.depth = depth;
      lineAt(k + 2);
    }
  };
  while (i < src.length) {
    const c = src[i]!;
    const next = src[i + 1];
    if (c === '\n' || c === ' ' || c === '\t' || c === '\r') lineAt(i + 1);
    else if (c === '/' && next === '/') lineAt(src.indexOf('\n', i) < 0 ? src.length : src.indexOf('\n', i));
    else if (c === '/' && next === '*') lineAt(src.indexOf('*/', i + 2) + 2);
    else if (c === "'" || c === '"') {
      let k = i + 1;
      while (src[k] !== c) k += src[k] === '\\' ? 2 : 1;
      out.push({ kind: 'text', value: src.slice(i + 1, k), line });
      lineAt(k + 1);
    } else if (c === '`') {
      templates.push({ text: '', line, depth: -1 });
      i++;
      templatePart();
    } else if (c === '}' && templates.length && templates[templates.length - 1]!.depth === depth) {
      i++;
      templatePart();
    } else if (c === '/' && (!out.length || (out.at(-1)!.kind === 'punct' && !')]}'.includes(out.at(-1)!.value)) || REGEX_AFTER.has(out.at(-1)!.value))) {
      let k = i + 1;
      for (let inClass = false; inClass || src[k] !== '/'; k++) {
        if (src[k] === '\\') k++;
        else if (src[k] === '[') inClass = true;
        else if (src[k] === ']') inClass = false;
      }
      out.push({ kind: 'punct', value: 'regex', line });
      lineAt(k + 1);
    } else if (/[\p{L}_$]/u.test(c)) {
      const name = /^[\p{L}\p{N}_$]+/u.exec(src.slice(i, i + 200))![0];
      out.push({ kind: 'name', value: name, line });
      lineAt(i + name.length);
    } else if (/\d/.test(c)) {
      lineAt(i + /^[\d._xXa-fA-FnoObBeE]+/.exec(src.slice(i, i + 40))![0].length);
    } else {
      if ('([{'.includes(c)) depth++;
      if (')]}'.includes(c)) depth--;
      out.push({ kind: 'punct', value: c, line });
      lineAt(i + 1);
    }
  }
  return out;
}

/** "Lot / Партия", "выдать / issue": Latin on one side of a " / " and Cyrillic on the other. */
function mixesLanguages(text: string): boolean {
  const parts = text.split(' / ');
  return parts.slice(1).some((right, n) => {
    const left = parts[n]!;
    return (LATIN.test(left) && CYRILLIC.test(right)) || (CYRILLIC.test(left) && LATIN.test(right));
  });
}

const ERROR_BUILDERS = ['DomainError', 'makeError', 'deviceError'];
const NOT_CALLS = new Set(['if', 'for', 'while', 'switch', 'catch', 'return', 'typeof', 'await']);

/**
 * The mixed literals of one file that become error parameters: those inside the arguments of a
 * call that builds an error (DomainError, makeError, deviceError, or a local function or const
 * whose body calls one), and those initialising a local name that such a call uses.
 */
function mixedErrorParams(src: string): Token[] {
  const tokens = lex(src);
  const close: number[] = [];
  const open: number[] = [];
  tokens.forEach((t, k) => {
    if (t.kind !== 'punct') return;
    if ('([{'.includes(t.value)) open.push(k);
    else if (')]}'.includes(t.value)) close[open.pop()!] = k;
  });
  const endOfStatement = (from: number) => {
    let k = from;
    while (k < tokens.length && !(tokens[k]!.kind === 'punct' && ';})'.includes(tokens[k]!.value))) k = close[k] !== undefined ? close[k]! + 1 : k + 1;
    return k;
  };
  // Local functions and consts, each with the token range of its body or initialiser.
  const declarations: { name: string; from: number; to: number }[] = [];
  tokens.forEach((t, k) => {
    const name = tokens[k + 1];
    if (t.kind !== 'name' || name?.kind !== 'name') return;
    if (t.value === 'function' && tokens[k + 2]?.value === '(') {
      let body = close[k + 2]! + 1;
      while (body < tokens.length && tokens[body]!.value !== '{') body++;
      declarations.push({ name: name.value, from: body, to: close[body] ?? tokens.length });
    } else if (t.value === 'const' || t.value === 'let') {
      declarations.push({ name: name.value, from: k + 2, to: endOfStatement(k + 2) });
    }
  });
  const calls = (names: Set<string>, from = 0, to = tokens.length) => {
    const ranges: [number, number][] = [];
    for (let k = Math.max(from, 1); k < to; k++) {
      const callee = tokens[k - 1]!;
      if (tokens[k]!.value === '(' && tokens[k]!.kind === 'punct' && callee.kind === 'name' && names.has(callee.value) && !NOT_CALLS.has(callee.value)) ranges.push([k, close[k]!]);
    }
    return ranges;
  };
  const builders = new Set(ERROR_BUILDERS);
  for (let grew = true; grew; ) {
    grew = false;
    for (const d of declarations) {
      if (!builders.has(d.name) && calls(builders, d.from, d.to).length) {
        builders.add(d.name);
        grew = true;
      }
    }
  }
  const builderCalls = calls(builders);
  const inBuilderCall = (k: number) => builderCalls.some(([from, to]) => from < k && k < to);
  const usedInBuilderCalls = new Set(tokens.filter((t, k) => t.kind === 'name' && inBuilderCall(k)).map((t) => t.value));
  const initialises = (k: number) => declarations.some((d) => d.from <= k && k < d.to && usedInBuilderCalls.has(d.name) && !builders.has(d.name));
  return tokens.filter((t, k) => t.kind === 'text' && mixesLanguages(t.value) && (inBuilderCall(k) || initialises(k)));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('the guard against mixed-language error parameters', () => {
  test('finds such a literal however it reaches the error', () => {
    const flagged = (src: string) => mixedErrorParams(src).map((t) => t.value);
    expect(flagged(`throw new DomainError('NOT_FOUND', { entity: 'Lot / Партия', key }, 'lot');`)).toEqual(['Lot / Партия']);
    expect(flagged(`return makeError('VALIDATION', { details: \`серийный номер / serial reference: 0…\${max}\` });`)).toEqual(['серийный номер / serial reference: 0…{}']);
    expect(flagged(`const ENTITY = 'Document / Документ';\nfunction f() { throw new DomainError('NOT_FOUND', { entity: ENTITY, key }); }`)).toEqual(['Document / Документ']);
    // Through a local helper that builds the error, and one that calls that helper.
    const helpers = `function refuse(key: string, state: string): DomainError {\n  return new DomainError('INVALID_STATE', { entity: E, key, state, action: A });\n}\nfunction draft(a: string) { refuse('x', a); }\n`;
    expect(flagged(`${helpers}throw refuse(code, 'заблокирована / blocked');\ndraft('отменить / cancel');`)).toEqual(['заблокирована / blocked', 'отменить / cancel']);
    const state = `const state = s === 'cancelled' ? 'cancelled / отменена' : 'пустая / empty';\nthrow new DomainError('INVALID_STATE', { entity: E, key, state, action });`;
    expect(flagged(state)).toEqual(['cancelled / отменена', 'пустая / empty']);
  });

  test('leaves bilingual text that is not an error parameter, and say() pairs', () => {
    const flagged = (src: string) => mixedErrorParams(src).map((t) => t.value);
    expect(flagged(`throw new DomainError('NOT_FOUND', { entity: say('Партия', 'Lot'), key: \`\${a} / \${b}\` });`)).toEqual([]);
    // Label text, a print job's name, a stored note: meant for readers of both languages.
    expect(flagged(`function lines() { return [{ text: \`Lot / Партия: \${code}\` }]; }\nconst line = \`Отменено / cancelled: \${reason}\`;`)).toEqual([]);
    expect(flagged(`m.print(device, 'Test label / Тестовая этикетка', bytes); // 'Lot / Партия' in a comment\nconst re = /'/;`)).toEqual([]);
  });

  test("finds none in the application sources", () => {
    const root = join(import.meta.dirname, '..');
    const found = sourceFiles(join(root, 'main')).flatMap((file) =>
      mixedErrorParams(readFileSync(file, 'utf8')).map((t) => `${relative(root, file)}:${t.line}: '${t.value}' — use say(ru, en)`),
    );
    expect(found).toEqual([]);
  });
});
