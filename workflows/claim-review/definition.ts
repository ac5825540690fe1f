import { defineProcess } from '../engine/process-definition';
import { claimReview } from './workflow';
import { ClaimReviewInput, claimExceptionForm, claimQaForm, claimReviewForm } from './schema';
import { claimReviewQaPolicies, claimReviewServiceLevels } from './service-levels';

export const claimReviewProcess = defineProcess({
  name: 'claim-review',
  version: '1',
  title: 'Claim review',
  description:
    'A bot extracts a claim from the client’s claims system; claims under the threshold are approved automatically, ' +
    'the rest are reviewed by the claims-review team; the bot then enters the decision exactly once.',
  workflow: claimReview,
  input: ClaimReviewInput,
  taskForms: [claimReviewForm, claimExceptionForm, claimQaForm],
  serviceLevels: claimReviewServiceLevels,
  qaPolicies: claimReviewQaPolicies,
  clientOf: (input) => input.client,
  businessRefOf: (input) => input.claimRef,
  compensations: [
    {
      step: 'enter-decision',
      name: 'reverse-adjudication',
      description:
        'A run cancelled once the bot has entered (or was entering) the adjudication has it reversed in the claims system by the bot, ' +
        'exactly once (the reversal carries `<runId>:cancel:<ADJ-…>` and is looked for first); the claim is open again.',
    },
  ],
});
