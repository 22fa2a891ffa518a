// `npm start` runs the main job. Its real content, the echo example (an RTCPeerConnection that
// sends a browser's media and data channel messages straight back), arrives with issue 12 once
// the protocol packages under it exist. Until then this says so and exits cleanly.
console.log(`TypeRTC: the echo example is not built yet.

When it lands, \`npm start\` will start an RTCPeerConnection in Node that echoes a peer's audio,
video and data channel messages back to it, with a page to open in a browser.

What works today: the foundation packages. \`npm test\` runs the tests and the RFC vector
conformance table; \`npm run bench\` prints the crypto backend benchmarks.`);
