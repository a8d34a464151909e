/**
 * The one phone-number rule of Kasse, used by the server's validation and by the browser code (web/), so the two
 * cannot drift apart. Pure: no imports, no I/O.
 *
 * A Norwegian mobile number is 8 digits starting with 4 or 9. In the sandbox every such number is a Vipps test user,
 * provisioned on first use; other 8-digit numbers are not Vipps users (User 81).
 */

/** How the rule is said to people, everywhere (README, sandbox page, app, landing page). */
export const PHONE_RULE_TEXT = 'an 8-digit Norwegian mobile number starting with 4 or 9';

/** What the user is told when the digits are not a mobile number at all. */
export const PHONE_FORMAT_MESSAGE = `Enter ${PHONE_RULE_TEXT}.`;

/** 8 digits starting with 4 or 9. */
export const NORWEGIAN_MOBILE = /^[49]\d{7}$/;

/** Eight digits: the shape every number has once normalized (the wire schemas' pattern). */
export const EIGHT_DIGITS_PATTERN = '^\\d{8}$';

/**
 * "Vipps attempts to correct incorrectly formatted phone numbers": spaces, dashes, +47 and 0047 (and a bare 47 in
 * front of 8 digits) are stripped. Null when what remains is not 8 digits.
 */
export function normalizePhoneNumber(value: string | number): string | null {
  let digits = String(value).replace(/[\s-]/g, '');
  if (digits.startsWith('+47')) digits = digits.slice(3);
  else if (digits.startsWith('0047')) digits = digits.slice(4);
  else if (digits.length === 10 && digits.startsWith('47')) digits = digits.slice(2);
  return new RegExp(EIGHT_DIGITS_PATTERN).test(digits) ? digits : null;
}

/** Could this number be a Vipps user (a Norwegian mobile number)? */
export function isNorwegianMobile(msisdn: string): boolean {
  return NORWEGIAN_MOBILE.test(msisdn);
}

/** 48000001 → "480 00 001", as Norwegian mobile numbers are written. */
export function phoneText(msisdn: string): string {
  return msisdn.replace(/^(\d{3})(\d{2})(\d{3})$/, '$1 $2 $3');
}
