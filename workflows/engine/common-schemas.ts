// Schemas shared by every process's input.
import { z } from 'zod';

export const ClientId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'A client id is lower-case letters, digits and dashes, e.g. acme-health')
  .describe('Client company the run works for');
