export { Simulator, type EventHandler, type EventDispatcher } from './simulator.js';
export { RandomStream, RandomStreams } from './random.js';
