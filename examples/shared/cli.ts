/** What every example's command line shares. */

/** The port to listen on: `PORT`, else 8080. */
export function portFromEnvironment(): number {
  return Number(process.env.PORT ?? 8080);
}

/** Ctrl-C: says `message`, closes `server` (its peer connections first), then exits. */
export function closeOnInterrupt(server: { close(): Promise<void> }, message = 'closing'): void {
  process.once('SIGINT', () => {
    console.log(`\n${message}`);
    void server.close().then(() => process.exit(0));
  });
}
