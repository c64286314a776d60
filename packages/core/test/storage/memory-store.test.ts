import { createMemoryStore } from '@tubesum/core';
import { describeBatchStore } from '@tubesum/core/testing/conformance';

describeBatchStore('memory', () => createMemoryStore());
