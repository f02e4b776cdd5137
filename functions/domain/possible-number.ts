/**
 * The one libphonenumber function Tandem needs, behind a module of its own so
 * that did.ts can import it on first use and the bundle keeps only this
 * function and its metadata (a dynamic import of the package would keep all of it).
 */
export { isPossiblePhoneNumber } from 'libphonenumber-js';
