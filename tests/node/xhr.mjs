// The XMLHttpRequest for node that the npm package installs (npm/xhr.js): one implementation for the
// package and the node tests of the wasm build.
export { NodeXMLHttpRequest } from '../../npm/xhr.js';
