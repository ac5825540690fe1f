export interface ClientCrmCredentials {
  username: string;
  password: string;
}

/** A customer as typed into the CRM's new-customer form. */
export interface CustomerDetails {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  postcode: string;
  /** ISO date `YYYY-MM-DD`. */
  dateOfBirth: string;
  /** `AC-` + 6 digits. */
  accountNumber: string;
}

export const CUSTOMER_DETAIL_FIELDS = [
  'firstName',
  'lastName',
  'email',
  'phone',
  'postcode',
  'dateOfBirth',
  'accountNumber',
] as const satisfies readonly (keyof CustomerDetails)[];

/** A customer record as the CRM shows it after saving. */
export interface SavedCustomer extends CustomerDetails {
  /** The CRM's record id, e.g. `CR-000012`. */
  recordId: string;
  /** Our idempotency reference, kept in the CRM's "external reference" field. */
  reference: string;
  /** ISO timestamp the CRM shows. */
  createdAt: string;
}
