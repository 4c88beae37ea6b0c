// Check digits of the identifiers people type or scan: a wrong digit is caught at the form,
// not at the customs post. Pure: used by the contract's schemas and the demo data.

/** GS1 mod-10 check digit over all digits of a GTIN/SSCC body (the number without its check digit). */
export function gs1CheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    // Weights 3, 1, 3, … counted from the rightmost digit of the body.
    const weight = (body.length - i) % 2 === 1 ? 3 : 1;
    sum += Number(body[i]) * weight;
  }
  return (10 - (sum % 10)) % 10;
}

export function isValidGtin(value: string): boolean {
  return /^\d{8}$|^\d{12,14}$/.test(value) && gs1CheckDigit(value.slice(0, -1)) === Number(value.at(-1));
}

/** ISO 6346 letter values: A=10, then counting up but skipping multiples of 11 (B=12 … Z=38). */
function iso6346Value(ch: string): number {
  if (/\d/.test(ch)) return Number(ch);
  let value = 10;
  for (let c = 65; c < ch.charCodeAt(0); c++) {
    value += 1;
    if (value % 11 === 0) value += 1;
  }
  return value;
}

/** Check digit of a container number's first ten characters (owner code, category, serial). */
export function iso6346CheckDigit(body: string): number {
  const sum = [...body].reduce((acc, ch, i) => acc + iso6346Value(ch) * 2 ** i, 0);
  return (sum % 11) % 10;
}

export function isValidContainerNumber(value: string): boolean {
  return /^[A-Z]{3}[UJZ]\d{7}$/.test(value) && iso6346CheckDigit(value.slice(0, 10)) === Number(value[10]);
}
