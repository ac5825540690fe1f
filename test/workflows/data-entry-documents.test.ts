// DataEntry's document parsing and confidence rules: pure functions, no stack needed.
import { describe, expect, it } from 'vitest';
import { documentsFromCsv, lowConfidenceFields, recognisedRecord } from '../../workflows/data-entry/documents';
import { CRM_FIELDS } from '../../workflows/data-entry/record';
import { DataEntryInput } from '../../workflows/data-entry/schema';

const header = ['docRef', ...CRM_FIELDS.flatMap((f) => [f, `${f}_confidence`])].join(',');
const values: Record<string, string> = {
  firstName: 'Ana',
  lastName: '"O\'Neill, Jr."',
  email: 'ana@example.com',
  phone: '+44 7700 900123',
  postcode: 'SW1A 1AA',
  dateOfBirth: '1980-02-03',
  accountNumber: 'AC-123456',
};
const row = (docRef: string, confidence: (f: string) => string) => [docRef, ...CRM_FIELDS.flatMap((f) => [values[f], confidence(f)])].join(',');

describe('DataEntry documents', () => {
  it('reads a CSV delivery with quoted cells and CRLF line ends, one document a row', () => {
    const csv = [header, row('DOC-1', () => '0.99'), row('DOC-2', (f) => (f === 'email' ? '0.4' : '0.95')), ''].join('\r\n');
    const { documents, problems } = documentsFromCsv(csv);
    expect(problems).toEqual([]);
    expect(documents.map((d) => d.docRef)).toEqual(['DOC-1', 'DOC-2']);
    expect(recognisedRecord(documents[0]!)).toMatchObject({ lastName: "O'Neill, Jr.", phone: '+44 7700 900123' });
    expect(lowConfidenceFields(documents[0]!, 0.85)).toEqual([]);
    expect(lowConfidenceFields(documents[1]!, 0.85)).toEqual(['email']);
  });

  it('names the row and the column of what is wrong', () => {
    expect(documentsFromCsv('docRef,firstName\nDOC-1,Ana').problems[0]!.message).toMatch(/^Missing columns: firstName_confidence, lastName, /);
    const bad = documentsFromCsv([header, row('DOC-1', () => 'sure')].join('\n'));
    expect(bad.problems).toEqual([{ row: 2, message: expect.stringContaining('fields.firstName.confidence') }]);
    expect(documentsFromCsv('').problems[0]!.message).toBe('The CSV is empty');
  });

  it('takes documents as JSON or as CSV, not both, and refuses a CSV it cannot read with the field', () => {
    const csv = [header, row('DOC-1', () => '0.99')].join('\n');
    expect(DataEntryInput.safeParse({ client: 'acme-health', batchKey: 'mail-1', csv }).success).toBe(true);
    const both = DataEntryInput.safeParse({ client: 'acme-health', batchKey: 'mail-1', csv, documents: documentsFromCsv(csv).documents });
    expect(both.success).toBe(false);
    expect(both.error!.issues[0]!.path).toEqual(['documents']);
    const unreadable = DataEntryInput.safeParse({ client: 'acme-health', batchKey: 'mail-1', csv: 'docRef\nDOC-1' });
    expect(unreadable.error!.issues[0]).toMatchObject({ path: ['csv'], message: expect.stringContaining('Row 1: Missing columns') });
  });
});
