// What an end-to-end test does the way a user does it — log in and out, open a section, find a
// field by its label, a row in a table by its text — and what it checks underneath: the
// workspace's tables, to prove that a refused form saved nothing.
import { expect } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import type { Workspace } from '../../main/workspace.js';

export const DAY = 86_400_000;

export async function logIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByRole('heading', { name: 'Вход в PlantDesk' }).waitFor();
  await page.getByLabel('Имя пользователя').fill(username);
  await page.getByLabel('Пароль').fill(password);
  await page.getByRole('button', { name: 'Войти' }).click();
  await page.getByRole('navigation', { name: 'main' }).waitFor();
}

export async function logOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Выйти' }).click();
  await page.getByRole('heading', { name: 'Вход в PlantDesk' }).waitFor();
}

/** Clicks a section in the main navigation. */
export async function openSection(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name, exact: true }).click();
}

/** The labelled field (label, input, and the error or hint under it) of the input labelled `label` inside `scope`. */
export function field(page: Page, label: string, scope: Page | Locator = page): Locator {
  return scope.locator('.field').filter({ has: page.getByLabel(label, { exact: true }) });
}

/** The error shown under the input labelled `label`. */
export function fieldErrorOf(page: Page, label: string, scope: Page | Locator = page): Locator {
  return field(page, label, scope).locator('.field-error');
}

/** A row of a table (found by its accessible name or test id) holding `text`. */
export function row(table: Locator, text: string): Locator {
  return table.getByRole('row').filter({ hasText: text });
}

/** Waits until the element's text matches (the screens update after the server answers). */
export async function waitText(locator: Locator, expected: string | RegExp, timeout = 10_000): Promise<void> {
  await expect
    .poll(async () => (await locator.innerText({ timeout })).replace(/\s+/g, ' '), { timeout })
    .toMatch(typeof expected === 'string' ? new RegExp(escape(expected)) : expected);
}

/** Waits until an input or select holds `value`. */
export async function waitValue(locator: Locator, value: string, timeout = 10_000): Promise<void> {
  await expect.poll(() => locator.inputValue({ timeout }), { timeout }).toBe(value);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
}

/** A date as a `<input type="date">` takes it, in this PC's time zone (the browser's too). */
export function dateInput(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** Every row of every table but the sessions: two equal snapshots mean nothing was written. */
export function snapshot(ws: Workspace): Record<string, unknown[]> {
  const tables = ws.q.sql<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'sessions' ORDER BY name",
  );
  return Object.fromEntries(tables.map(({ name }) => [name, ws.q.sql(`SELECT * FROM "${name}" ORDER BY 1`)]));
}

export function count(ws: Workspace, table: string): number {
  return ws.q.sql<{ n: number }>(`SELECT COUNT(*) AS n FROM "${table}"`)[0]!.n;
}

export interface LotState {
  code: string;
  status: string;
  initial_g: number;
  qty_g: number;
}

/** A lot's status and what is in stock of it, straight from the workspace. */
export function lotState(ws: Workspace, code: string): LotState {
  const rows = ws.q.sql<LotState>(
    `SELECT l.code, l.status, l.initial_g, COALESCE((SELECT SUM(s.qty_g) FROM stock s WHERE s.lot_id = l.id), 0) AS qty_g
     FROM lots l WHERE l.code = ?`,
    code,
  );
  expect(rows, `lot ${code}`).toHaveLength(1);
  return rows[0]!;
}
