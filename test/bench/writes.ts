/**
 * Figure 10 (issue 13): one follow on a 1,000-follow list, from the call to the relay's OK (what a
 * user waits for to see it published) and to the promise settling (after the check that no other
 * client's version won). The write reads the relays' newest list first, so both include a REQ.
 */
import { NDKPrivateKeySigner, type NDKEvent } from "@nostr-dev-kit/ndk";
import type { Account } from "./fixtures";
import { freshManager } from "./latency";
import { now, waitFor } from "./measure";
import type { RelayThread } from "./relayThread";

export interface WriteResult {
  toOk: number[];
  toSettled: number[];
}

export async function followFigures(relay: RelayThread, account: Account, runs: number, warmup: number): Promise<WriteResult> {
  const { ndk, manager, done } = await freshManager(relay);
  const result: WriteResult = { toOk: [], toSettled: [] };
  try {
    await manager.login(account.signer);
    await waitFor(() => manager.getSession(account.pubkey)?.status === "ready" && manager.getSession(account.pubkey)?.canSign === true, 10_000, "the session");
    const ndkRelay = [...ndk.pool.relays.values()][0]!;
    for (let run = 0; run < warmup + runs; run++) {
      let okAt = 0;
      const onPublished = (event: NDKEvent) => {
        if (event.kind === 3 && event.pubkey === account.pubkey) okAt ||= now();
      };
      ndkRelay.on("published", onPublished);
      const started = now();
      const outcome = await manager.follow(NDKPrivateKeySigner.generate().pubkey);
      const settled = now();
      ndkRelay.off("published", onPublished);
      if (!outcome.changed || okAt === 0) throw new Error("bench: the follow was not published");
      if (run < warmup) continue;
      result.toOk.push(okAt - started);
      result.toSettled.push(settled - started);
    }
    return result;
  } finally {
    done();
  }
}
