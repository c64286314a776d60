// The batch client of batch mode over a real SDK client pointed at a fake server: for tests and
// bench/ (which cannot import the SDK from the repository root).
import Anthropic from '@anthropic-ai/sdk';
import { AnthropicMessageBatches } from '../../src/summarizers/language-model/anthropic-message-batches.js';

export function messageBatchesAt(baseURL: string): AnthropicMessageBatches {
  return new AnthropicMessageBatches(new Anthropic({ apiKey: 'sk-ant-test', baseURL, maxRetries: 0 }));
}
