export * from './props.js';
export * from './table.js';
