// The period of a 1C export as people choose it — whole days of the plant's calendar, both
// included — and as the builder reads the workspace: epoch milliseconds, end exclusive.
// The CLI and the app's export both come through here, so a day means the same in each.

/**
 * [local midnight of `from`, local midnight after `to`), for YYYY-MM-DD days the contract has
 * checked. The end is the next calendar day's midnight, not `to` + 24 h, so a day that changes
 * to or from summer time keeps all its hours.
 */
export function periodOfDays(from: string, to: string): { from: number; to: number } {
  return { from: localMidnight(from), to: localMidnight(to, 1) };
}

function localMidnight(day: string, daysAfter = 0): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d + daysAfter).getTime();
}
