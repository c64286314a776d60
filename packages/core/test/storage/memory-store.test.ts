import { createMemoryStore } from '@tubesum/core';
import { describeBatchStore } from '@tubesum/core/testing';

describeBatchStore('memory', () => createMemoryStore());
