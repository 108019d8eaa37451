/** A port free on 127.0.0.1 right now (the bench's own helper). */
export { freePort } from '../../../bench/free-port.js';
