/** 'interval' durability against a real kill -9: every commit that resolved must be on disk, and no batch half there. */
import { registerKillNineTest } from './testing/kill-nine.js';

registerKillNineTest('log');
