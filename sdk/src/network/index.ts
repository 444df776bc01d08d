/**
 * `@hostplane/sdk/network`: what a plugin checks before it connects where a tenant points it.
 * Node-only, and kept out of the SDK's main entry, which the panel's browser code imports.
 *
 * @packageDocumentation
 */
export { isInternalAddress } from './internal-address.js';
