/**
 * How the portal shows a shopper's details to the merchant's staff: enough to recognise an order on the phone,
 * not enough to copy the person's data out of a screenshot. Pure; shared by the server's pages and the browser.
 */
const MASK = '•';

/** 91234567 → "••• •• 567": the last three digits. */
export function maskedPhone(msisdn: string): string {
  const digits = msisdn.replace(/\D/g, '');
  if (digits.length < 4) return MASK.repeat(3);
  return `${MASK.repeat(3)} ${MASK.repeat(2)} ${digits.slice(-3)}`;
}

/** ola.nordmann@example.com → "o•••@example.com". */
export function maskedEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return MASK.repeat(3);
  return `${email.slice(0, 1)}${MASK.repeat(3)}${email.slice(at)}`;
}

/** "Ola", "Nordmann" → "Ola N.". */
export function maskedName(firstName: string | null, lastName: string | null): string | null {
  if (!firstName && !lastName) return null;
  return [firstName ?? '', lastName ? `${lastName.slice(0, 1)}.` : ''].join(' ').trim();
}
