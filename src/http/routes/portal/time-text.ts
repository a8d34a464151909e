import { isoTimestamp } from '../../../domain/clock.ts';

/** An instant as the portal's tables show it: UTC to the second, "2026-01-05 10:00:03 UTC". */
export function utcSecondText(at: string | number): string {
  const iso = typeof at === 'number' ? isoTimestamp(at) : at;
  return `${iso.replace('T', ' ').slice(0, 19)} UTC`;
}
