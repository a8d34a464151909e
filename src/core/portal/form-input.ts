/** A form field as typed: trimmed, and empty meaning "not given" (the portal's filters send every field, most empty). */
export function given(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
