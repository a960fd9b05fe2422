/** 'interval' durability against a real kill -9: every commit that resolved must be on disk. */
import { registerKillNineTest } from './testing/kill-nine.js';

registerKillNineTest('lmdb');
