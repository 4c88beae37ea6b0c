export * from './reading.js';
export * from './mt-sics.js';
export * from './toledo.js';
export * from './cas.js';
export * from './massa-k.js';
export * from './shtrih.js';
