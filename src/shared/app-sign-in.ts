/**
 * The simulated app's sign-in rules, said the same way by the server (core/user-app/sign-in.ts), the app (web/) and
 * the docs. Pure: no imports, no I/O.
 */

/** A PIN is 4 to 6 digits (the app's is 5; operators may hand out any of these lengths). */
export const PIN_PATTERN = '^\\d{4,6}$';
/** Wrong PINs in a row that lock a number out, and for how long (by the server's clock, which the sandbox may move). */
export const MAX_PIN_FAILURES = 5;
export const PIN_LOCKOUT_MINUTES = 15;
/** A session lasts this long from sign-in; then the app asks for the PIN again. */
export const APP_SESSION_MINUTES = 30;

/** The error bodies of the app's sign-in and session checks (`[{ errorGroup: 'App', errorCode, errorMessage }]`). */
export const APP_ERROR_GROUP = 'App';
export const APP_ERRORS = {
  wrong_number_or_pin: 'Wrong phone number or PIN.',
  pin_required: 'Enter your PIN.',
  locked: `Too many wrong PINs: this number is locked for ${PIN_LOCKOUT_MINUTES} minutes.`,
  not_signed_in: 'You are logged out. Log in again.',
  csrf: 'This page is out of date. Reload it and try again.',
  other_user: 'This is for another Vipps user. Log in as them to answer it.',
} as const;
export type AppErrorCode = keyof typeof APP_ERRORS;
