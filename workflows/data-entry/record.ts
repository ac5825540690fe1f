// A customer record as DataEntry keys it into a client's CRM: the document schema, the operator's
// correction form and the bot's input, defined once. Pure and workflow-safe (the Update validator
// checks corrections with it). It applies the CRM's own format rules (sandbox/client-crm/README.md)
// so most bad values reach a person before the bot; whether the account already exists only the
// CRM can tell (the bot's DuplicateAccount).
import { z } from 'zod';

const Name = (what: string) => z.string().trim().min(1, `Enter the ${what}`).max(80, `Keep the ${what} under 80 characters`);

// Character classes instead of regex flags: JSON Schema patterns carry no flags.
const UK_POSTCODE = '[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}';
const ZIP = '[0-9]{5}';

/** Today in UTC as `YYYY-MM-DD`; inside a workflow `Date` is the workflow's deterministic clock. */
const todayUtc = (): string => new Date().toISOString().slice(0, 10);

export const CrmRecord = z
  .object({
    firstName: Name('first name').describe('Customer’s first (given) name'),
    lastName: Name('last name').describe('Customer’s last (family) name'),
    email: z
      .string()
      .trim()
      .max(254)
      .regex(/^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/, 'An email address looks like name@example.com')
      .describe('Customer’s email address'),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[\d ()-]{7,20}$/, 'A phone number is digits, spaces and + ( ) -')
      .refine((p) => {
        const digits = p.replace(/\D/g, '').length;
        return digits >= 7 && digits <= 15;
      }, 'A phone number has 7 to 15 digits')
      .describe('Customer’s phone number, e.g. +44 7700 900123'),
    postcode: z
      .string()
      .trim()
      .regex(new RegExp(`^(${UK_POSTCODE}|${ZIP})$`), 'A UK postcode (SW1A 1AA) or a 5-digit ZIP code')
      .describe('UK postcode or 5-digit US ZIP code'),
    dateOfBirth: z.iso
      .date('A date of birth is YYYY-MM-DD')
      .refine((d) => d < todayUtc(), 'The date of birth must be in the past')
      .refine((d) => d >= '1900-01-01', 'The date of birth cannot be before 1900')
      .describe('Customer’s date of birth, YYYY-MM-DD'),
    accountNumber: z
      .string()
      .trim()
      .regex(/^AC-\d{6}$/, 'An account number is AC- and 6 digits, e.g. AC-123456')
      .describe('The client’s account number for this customer, AC- and 6 digits (unique per client: the CRM refuses a duplicate)'),
  })
  .strict()
  .describe('Customer record to enter into the client’s CRM');
export type CrmRecord = z.infer<typeof CrmRecord>;

/** The record's fields in form order. */
export const CRM_FIELDS: readonly (keyof CrmRecord)[] = ['firstName', 'lastName', 'email', 'phone', 'postcode', 'dateOfBirth', 'accountNumber'];
