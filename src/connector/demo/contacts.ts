import type { Rng } from './rng';

/**
 * Invented WhatsApp user numbers per country, in shapes that map to the right pricing market
 * (core marketOf): NANP islands by area code (+1 809 DO, +1 787 PR, +1 876 JM), +7 7xx Kazakhstan
 * apart from +7 9xx Russia.
 */
const FORMATS: Readonly<Record<string, readonly [prefixes: readonly string[], digits: number]>> = {
  BR: [['5511', '5521', '5531', '5541', '5551'], 9],
  AR: [['54911', '54935'], 8],
  MX: [['5255', '5281', '5233'], 8],
  US: [['1212', '1415', '1312', '1646'], 7],
  DO: [['1809', '1829'], 7],
  PR: [['1787', '1939'], 7],
  JM: [['1876'], 7],
  ES: [['346'], 8],
  DE: [['4915', '4916', '4917'], 9],
  GB: [['447'], 9],
  IN: [['919', '918', '917'], 9],
  NG: [['23480', '23490'], 8],
  KZ: [['770', '777'], 8],
  RU: [['79'], 9],
  AE: [['9715'], 8],
  ID: [['628'], 10],
  ZA: [['277', '278'], 8],
};

export const DEMO_COUNTRIES = Object.keys(FORMATS);

export function demoNumber(country: string, rng: Rng): string {
  const format = FORMATS[country];
  if (!format) throw new Error(`no demo number format for ${country}`);
  let digits = rng.pick(format[0]);
  for (let i = 0; i < format[1]; i++) digits += String(i === 0 ? rng.int(1, 9) : rng.int(0, 9));
  return digits;
}

const FIRST = [
  'Ana',
  'Bruno',
  'Carla',
  'Diego',
  'Priya',
  'Rahul',
  'Anika',
  'Jonas',
  'Lena',
  'Omar',
  'Sofia',
  'Kwame',
  'Mei',
  'Ivan',
  'Aigerim',
  'Lucia',
];

export interface ContactPool {
  phones: string[];
  countries: string[];
  names: string[];
}

/** `size` contacts drawn from the audience weights; index-stable for a given seed. */
export function buildContacts(audience: readonly (readonly [string, number])[], size: number, rng: Rng): ContactPool {
  const pool: ContactPool = { phones: [], countries: [], names: [] };
  for (let i = 0; i < size; i++) {
    const country = rng.weighted(audience);
    pool.countries.push(country);
    pool.phones.push(demoNumber(country, rng));
    pool.names.push(rng.pick(FIRST));
  }
  return pool;
}
