/**
 * Country of a +1 (NANP) number from its area code. Meta prices +1 as "North America" except the
 * area codes its table lists under Rest of Latin America (DO, JM, PR: see market-table.ts), so this
 * only decides which country a number is reported under, never its market.
 */

/** Canadian geographic area codes (NANPA). Everything not listed here or below is reported as US. */
export const CANADA_AREA_CODES: readonly string[] = [
  '204', '226', '236', '249', '250', '263', '289', '306', '343', '354', '365', '367', '368', '382', '403', '416',
  '418', '428', '431', '437', '438', '450', '468', '474', '506', '514', '519', '548', '579', '581', '584', '587',
  '604', '613', '639', '647', '672', '683', '705', '709', '742', '753', '778', '780', '782', '807', '819', '825',
  '867', '873', '879', '902', '905',
];

/**
 * Other NANP members and territories. Meta's table does not list them; the reference notes say "the
 * rest of +1 is North America", so they are priced as North America (UNVERIFIED against Meta) but
 * reported under their own country.
 */
export const OTHER_NANP: readonly (readonly [areaCode: string, iso2: string, country: string])[] = [
  ['242', 'BS', 'Bahamas'], ['246', 'BB', 'Barbados'], ['264', 'AI', 'Anguilla'], ['268', 'AG', 'Antigua and Barbuda'],
  ['284', 'VG', 'British Virgin Islands'], ['340', 'VI', 'U.S. Virgin Islands'], ['345', 'KY', 'Cayman Islands'],
  ['441', 'BM', 'Bermuda'], ['473', 'GD', 'Grenada'], ['649', 'TC', 'Turks and Caicos Islands'], ['664', 'MS', 'Montserrat'],
  ['670', 'MP', 'Northern Mariana Islands'], ['671', 'GU', 'Guam'], ['684', 'AS', 'American Samoa'], ['721', 'SX', 'Sint Maarten'],
  ['758', 'LC', 'Saint Lucia'], ['767', 'DM', 'Dominica'], ['784', 'VC', 'Saint Vincent and the Grenadines'],
  ['868', 'TT', 'Trinidad and Tobago'], ['869', 'KN', 'Saint Kitts and Nevis'],
];
