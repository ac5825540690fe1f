import { CUSTOMER_FIELDS, type CustomerFields } from './types';

export interface CustomerFormValues extends CustomerFields {
  externalReference: string;
  /** Set by the confirmation step of the "save needs a second click" quirk. */
  confirmed: string;
}

export type CustomerField = keyof CustomerFields | 'externalReference';
export type CustomerErrors = Partial<Record<CustomerField, string>>;

export interface ValidCustomer {
  fields: CustomerFields;
  externalReference: string;
}

export const MAX_REFERENCE_LENGTH = 120;
const MAX_NAME_LENGTH = 80;

// The CRM's format rules. Postcodes: a UK postcode (`SW1A 1AA`, space optional) or a 5-digit ZIP.
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;
export const UK_POSTCODE_PATTERN = /^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/;
export const ZIP_PATTERN = /^\d{5}$/;
export const PHONE_PATTERN = /^\+?[\d ()-]{7,20}$/;
export const ACCOUNT_NUMBER_PATTERN = /^AC-\d{6}$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function readFormValues(body: unknown): CustomerFormValues {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const field = (name: string): string => (typeof record[name] === 'string' ? (record[name] as string) : '');
  const fields = Object.fromEntries(CUSTOMER_FIELDS.map((name) => [name, field(name)])) as unknown as CustomerFields;
  return { ...fields, externalReference: field('externalReference'), confirmed: field('confirmed') };
}

/** True for a real calendar date `YYYY-MM-DD` (no 2023-02-30). */
export function isCalendarDate(text: string): boolean {
  const match = ISO_DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function checkDateOfBirth(text: string, today: string): string | undefined {
  if (!isCalendarDate(text)) return 'Enter the date of birth as YYYY-MM-DD.';
  if (text >= today) return 'The date of birth must be in the past.';
  if (text < '1900-01-01') return 'The date of birth cannot be before 1900.';
  return undefined;
}

/**
 * The CRM's own format rules, field by field. `today` (UTC, `YYYY-MM-DD`) is passed in so the
 * date-of-birth rule is testable. Whether the account already exists is checked by the book.
 */
export function validateCustomer(
  values: CustomerFormValues,
  today: string,
): { ok: true; value: ValidCustomer } | { ok: false; errors: CustomerErrors } {
  const errors: CustomerErrors = {};
  const v = {
    firstName: values.firstName.trim(),
    lastName: values.lastName.trim(),
    email: values.email.trim(),
    phone: values.phone.trim(),
    postcode: values.postcode.trim().toUpperCase(),
    dateOfBirth: values.dateOfBirth.trim(),
    accountNumber: values.accountNumber.trim(),
  };
  if (v.firstName === '' || v.firstName.length > MAX_NAME_LENGTH) errors.firstName = `Enter a first name of at most ${MAX_NAME_LENGTH} characters.`;
  if (v.lastName === '' || v.lastName.length > MAX_NAME_LENGTH) errors.lastName = `Enter a last name of at most ${MAX_NAME_LENGTH} characters.`;
  if (!EMAIL_PATTERN.test(v.email) || v.email.length > 254) errors.email = 'Enter an email address like name@example.com.';
  const digits = v.phone.replace(/\D/g, '').length;
  if (!PHONE_PATTERN.test(v.phone) || digits < 7 || digits > 15) errors.phone = 'Enter a phone number of 7 to 15 digits.';
  if (!UK_POSTCODE_PATTERN.test(v.postcode) && !ZIP_PATTERN.test(v.postcode)) errors.postcode = 'Enter a UK postcode (SW1A 1AA) or a 5-digit ZIP code.';
  const dob = checkDateOfBirth(v.dateOfBirth, today);
  if (dob) errors.dateOfBirth = dob;
  if (!ACCOUNT_NUMBER_PATTERN.test(v.accountNumber)) errors.accountNumber = 'Enter the account number as AC- and 6 digits.';

  const externalReference = values.externalReference.trim();
  if (externalReference === '') errors.externalReference = 'The external reference is required.';
  else if (externalReference.length > MAX_REFERENCE_LENGTH) errors.externalReference = `The external reference must be at most ${MAX_REFERENCE_LENGTH} characters.`;

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { fields: v, externalReference } };
}
