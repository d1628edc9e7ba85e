/**
 * Child process of test/storage/fileCrash.test.ts: writes the state key with FileStorage over and
 * over until it is killed, printing each sequence number once its setItem has resolved.
 *
 *   node --import tsx test/support/fileCrashWriter.ts <file> <first sequence number>
 */
import { pathToFileURL } from "node:url";
import { FileStorage } from "../../src/storage/fileStorage";
import { STATE_KEY } from "../../src/storage/types";

/** The size of value `seq`: 1 KB to 2 MB, spread so that large and small writes alternate. */
export const sizeOf = (seq: number) => 1_024 + ((seq * 2_654_435_761) % 2_096_128);

/** The value written for `seq`: JSON whose padding the reader can check for length and content. */
export const valueOf = (seq: number) => JSON.stringify({ seq, size: sizeOf(seq), pad: String(seq % 10).repeat(sizeOf(seq)) });

const [file, first] = process.argv.slice(2);
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && file && first) {
  const storage = new FileStorage(file);
  process.stdout.write("ready\n");
  for (let seq = Number(first); ; seq++) {
    await storage.setItem(STATE_KEY, valueOf(seq));
    process.stdout.write(`${seq}\n`); // synchronous on a pipe (Linux), so it is out before the next write starts
  }
}
