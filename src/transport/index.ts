/** Everything other folders may use from the transport: the Transport contract and both implementations. */
export * from './transport.js';
