/** Everything other folders may use from the transport: the Transport contract and both implementations, and the framing the client protocol reuses. */
export * from './transport.js';
export { encodeFrame, FrameDecoder, FrameTooLargeError, FRAME_HEADER_BYTES } from './framing.js';
