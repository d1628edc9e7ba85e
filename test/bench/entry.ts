/**
 * What every bench script does around its figures: a watchdog, the relay on its own thread, the
 * table printed, the process ended explicitly (NDK keeps a 30 s timer per relay, so it would not
 * end by itself), exit code 1 only when the bench itself broke.
 */
import { now, printTable, type Row } from "./measure";
import { startRelayThread, type RelayThread } from "./relayThread";

export const logger = (name: string) => (message: string) => console.log(`[${name} ${(now() / 1000).toFixed(1)} s] ${message}`);

export async function runBench(name: string, deadlineMs: number, main: (relay: RelayThread) => Promise<Row[]>): Promise<never> {
  const watchdog = setTimeout(() => {
    console.error(`${name}: did not finish within ${deadlineMs / 1000} s`);
    process.exit(2);
  }, deadlineMs);
  const relay = await startRelayThread();
  let code = 0;
  try {
    const rows = await main(relay);
    console.log("");
    printTable(rows);
  } catch (error) {
    console.error(error);
    code = 1;
  } finally {
    await relay.close().catch(() => undefined);
    clearTimeout(watchdog);
  }
  process.exit(code);
}
