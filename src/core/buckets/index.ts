export * from './props.js';
export * from './table.js';
export * from './parse.js';
