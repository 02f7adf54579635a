// Jest only: @citation-js/core (CommonJS) requires `node-fetch`, an ES module, at load time, and
// jest's CommonJS loader cannot require an ES module (Node itself can, since 20.19). This gives
// it Node's own fetch, which is what node-fetch stands in for; the app never fetches through
// citation-js (papers are cited from the catalog's rows).
const fetch = (...args) => globalThis.fetch(...args);
module.exports = fetch;
module.exports.default = fetch;
module.exports.Headers = globalThis.Headers;
