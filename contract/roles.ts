// What a caller may do: the roles the API checks on every route, the roster assigns to operators
// and API keys carry. Here so the inbox (roster) and the API read one list.
export const ROLES = ['operator', 'supervisor', 'scheduler', 'process-admin', 'client-viewer'] as const;
export type Role = (typeof ROLES)[number];
