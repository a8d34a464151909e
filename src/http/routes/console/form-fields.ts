import type { FastifyRequest } from 'fastify';
import { InvalidRequestError } from '../../../domain/refusals.ts';

/** The fields of a posted console form (application/x-www-form-urlencoded), read with the rules of each. */
export class FormFields {
  readonly #body: Record<string, unknown>;

  constructor(request: FastifyRequest) {
    this.#body = request.body !== null && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {};
  }

  text(name: string): string | undefined {
    const value = this.#body[name];
    return typeof value === 'string' ? value : undefined;
  }

  /** Text that must be there: trimmed, 1 to `maxLength` characters. */
  requiredText(name: string, maxLength: number): string {
    const value = this.text(name)?.trim() ?? '';
    if (value === '' || value.length > maxLength) throw new InvalidRequestError(name, `${name} is 1 to ${maxLength} characters`);
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.text(name);
    if (value === undefined || !(allowed as readonly string[]).includes(value)) throw new InvalidRequestError(name, `${name} is one of ${allowed.join(', ')}`);
    return value as T;
  }

  integer(name: string): number {
    const value = this.text(name)?.trim() ?? '';
    if (!/^\d{1,9}$/.test(value)) throw new InvalidRequestError(name, `${name} is a whole number`);
    return Number(value);
  }

  /** A checkbox: present means on (an unchecked box is not sent at all). */
  checked(name: string): boolean {
    return this.text(name) !== undefined;
  }
}
