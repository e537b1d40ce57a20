export { Simulator, type EventHandler } from './simulator.js';
export { RandomStream, RandomStreams } from './random.js';
