import { MemoryStore } from '../src/index.js';
import { describeStoreContract, describeWriteJson } from './store-contract.js';

describeStoreContract('MemoryStore', () => new MemoryStore());
describeWriteJson('MemoryStore', () => new MemoryStore());
