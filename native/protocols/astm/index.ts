export * from './e1381.js';
export * from './e1394.js';
