import { defineProcess } from '../engine/process-definition';
import { dataEntry } from './workflow';
import { correctRecordForm, DataEntryInput, documentExceptionForm } from './schema';

export const dataEntryProcess = defineProcess({
  name: 'data-entry',
  version: '1',
  title: 'Data entry',
  description:
    'A delivery of documents (JSON or CSV, each field with its recognition confidence) is keyed into the client’s CRM by a ' +
    'bot, one record per document, exactly once; documents with low-confidence fields are checked by the data-entry team first.',
  workflow: dataEntry,
  input: DataEntryInput,
  taskForms: [correctRecordForm, documentExceptionForm],
  clientOf: (input) => input.client,
  businessRefOf: (input) => input.batchKey,
});
