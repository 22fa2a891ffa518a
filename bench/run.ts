/**
 * `npm run bench [filter ...]`: runs every benchmark module's groups (or only the entries whose
 * "group entry" name contains one of the filters, case-insensitively), prints the table and
 * writes bench/results/latest.json with the machine it ran on. The DTLS handshake group
 * (dtls.bench.ts) is asynchronous: it runs after the synchronous groups, filtered the same way,
 * and its rows join the table. The asynchronous ICE figures (ice.bench.ts) run last, when no
 * filter is given or one matches "ICE", then the SCTP data channel figures (sctp.bench.ts), when
 * no filter is given or one matches "SCTP", the peer connection figures, and the RTP forwarding
 * figures (rtp-forward.bench.ts) when no filter is given or one is part of "RTP forward" (e.g.
 * "RTP", which also runs the RTP and SRTP groups, or "forward", which runs it alone).
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchmarks as cryptoBenchmarks } from './crypto.bench.js';
import { DTLS_HANDSHAKE, benchmarks as dtlsBenchmarks } from './dtls.bench.js';
import {
  type BenchmarkGroup,
  type BenchmarkResult,
  DEFAULT_OPTIONS,
  formatTable,
  runAsyncGroup,
  runGroup,
} from './harness.js';
import { formatIceFigures, ICE_BENCH_OPTIONS, runIceBench } from './ice.bench.js';
import {
  formatPeerConnectionFigures,
  PEER_CONNECTION_BENCH_OPTIONS,
  runPeerConnectionBench,
} from './peerconnection.bench.js';
import { benchmarks as rtcpBenchmarks } from './rtcp.bench.js';
import { benchmarks as rtpBenchmarks } from './rtp.bench.js';
import {
  formatRtpForwardFigures,
  RTP_FORWARD_BENCH_OPTIONS,
  runRtpForwardBench,
} from './rtp-forward.bench.js';
import { formatSctpFigures, runSctpBench, SCTP_BENCH_OPTIONS } from './sctp.bench.js';
import { benchmarks as sdpBenchmarks } from './sdp.bench.js';
import { benchmarks as srtpBenchmarks } from './srtp.bench.js';
import { benchmarks as stunBenchmarks } from './stun.bench.js';

/** Every *.bench.ts module, in report order. */
const groups: readonly BenchmarkGroup[] = [
  ...cryptoBenchmarks,
  ...srtpBenchmarks,
  ...rtpBenchmarks,
  ...rtcpBenchmarks,
  ...sdpBenchmarks,
  ...stunBenchmarks,
  ...dtlsBenchmarks,
];

const filters = process.argv.slice(2).map((filter) => filter.toLowerCase());
interface Named {
  readonly name: string;
}
const selected = (group: Named, entry: Named): boolean =>
  filters.length === 0 ||
  filters.some((filter) => `${group.name} ${entry.name}`.toLowerCase().includes(filter));

const chosen = groups.filter((group) => group.entries.some((entry) => selected(group, entry)));
const handshakeChosen = DTLS_HANDSHAKE.entries.some((entry) => selected(DTLS_HANDSHAKE, entry));
const iceChosen = filters.length === 0 || filters.some((filter) => 'ice'.includes(filter));
const sctpChosen = filters.length === 0 || filters.some((filter) => 'sctp'.includes(filter));
const peerConnectionChosen =
  filters.length === 0 || filters.some((filter) => 'peerconnection'.includes(filter));
const rtpForwardChosen =
  filters.length === 0 || filters.some((filter) => 'rtp forward'.includes(filter));
if (
  chosen.length === 0 &&
  !handshakeChosen &&
  !iceChosen &&
  !sctpChosen &&
  !peerConnectionChosen &&
  !rtpForwardChosen
) {
  console.error(`no benchmark matches ${filters.join(', ')}; groups:`);
  for (const group of groups) console.error(`  ${group.name}`);
  console.error(`  ${DTLS_HANDSHAKE.name}`);
  console.error('  ICE');
  console.error('  SCTP');
  console.error('  PeerConnection');
  console.error('  RTP forward');
  process.exit(1);
}

const results: BenchmarkResult[] = [];
for (const group of chosen) {
  // Progress on stderr: a full run takes a while, and stdout stays just the table.
  process.stderr.write(`running ${group.name} ...\n`);
  results.push(...runGroup(group, DEFAULT_OPTIONS, selected));
}
if (handshakeChosen) {
  process.stderr.write(`running ${DTLS_HANDSHAKE.name} ...\n`);
  results.push(...(await runAsyncGroup(DTLS_HANDSHAKE, DEFAULT_OPTIONS, selected)));
}
if (iceChosen) process.stderr.write('running ICE ...\n');
const ice = iceChosen ? await runIceBench(ICE_BENCH_OPTIONS) : undefined;
if (sctpChosen) process.stderr.write('running SCTP ...\n');
const sctp = sctpChosen ? await runSctpBench(SCTP_BENCH_OPTIONS) : undefined;
if (peerConnectionChosen) process.stderr.write('running PeerConnection ...\n');
const peerConnection = peerConnectionChosen
  ? await runPeerConnectionBench(PEER_CONNECTION_BENCH_OPTIONS)
  : undefined;
if (rtpForwardChosen) process.stderr.write('running RTP forward ...\n');
const rtpForward = rtpForwardChosen
  ? await runRtpForwardBench(RTP_FORWARD_BENCH_OPTIONS)
  : undefined;

const cpuList = cpus();
const report = {
  date: new Date().toISOString(),
  node: process.version,
  machine: {
    cpu: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    memoryBytes: totalmem(),
    platform: process.platform,
    arch: process.arch,
  },
  options: DEFAULT_OPTIONS,
  results,
  ice,
  sctp,
  peerConnection,
  rtpForward,
};

console.log('');
console.log(
  `${report.machine.cpu}, ${report.machine.cores} cores, ` +
    `${(report.machine.memoryBytes / 2 ** 30).toFixed(1)} GiB, ${report.machine.platform}/` +
    `${report.machine.arch}, Node ${report.node}`,
);
if (results.length > 0) {
  console.log(
    `median of ${DEFAULT_OPTIONS.samples} samples of ~${DEFAULT_OPTIONS.sampleMs} ms each; ` +
      '± is the median absolute deviation',
  );
  console.log('');
  for (const line of formatTable(results)) console.log(line);
}
if (ice) {
  console.log('');
  for (const line of formatIceFigures(ice)) console.log(line);
}
if (sctp) {
  console.log('');
  for (const line of formatSctpFigures(sctp)) console.log(line);
}
if (peerConnection) {
  console.log('');
  for (const line of formatPeerConnectionFigures(peerConnection)) console.log(line);
}
if (rtpForward) {
  console.log('');
  for (const line of formatRtpForwardFigures(rtpForward)) console.log(line);
}

const resultsDirectory = fileURLToPath(new URL('../results/', import.meta.url));
mkdirSync(resultsDirectory, { recursive: true });
const file = `${resultsDirectory}latest.json`;
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
console.log('');
console.log(`wrote ${file}`);
