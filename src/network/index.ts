export { path, roundTrip, transferTime, type Path } from './paths.js';
