import { afterEach, describe, expect, it, vi } from "vitest";
import { generateSealingKey, sealWithKey } from "../../src/secrets/aesGcm";
import { SecretsKeeper } from "../../src/secrets/sealing";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("SecretsKeeper", () => {
  it("opens secrets ahead, together; each open takes its own payload, and the keeper keeps none", async () => {
    const key = await generateSealingKey();
    const keeper = new SecretsKeeper({ key });
    const payloads = ["alpha", "beta", "gamma"];
    const sealed = await Promise.all(payloads.map((payload) => sealWithKey(key, payload)));
    const decrypt = vi.spyOn(globalThis.crypto.subtle, "decrypt");
    keeper.openAhead(sealed);
    keeper.openAhead(sealed); // already under way: not opened twice
    expect(await Promise.all(sealed.map((secret) => keeper.open(secret)))).toEqual(payloads);
    expect(decrypt).toHaveBeenCalledTimes(3);
    // Taken once: a second open decrypts again (and still answers).
    expect(await keeper.open(sealed[1]!)).toBe("beta");
    expect(decrypt).toHaveBeenCalledTimes(4);
  });

  it("a secret sealed under another key opens to nothing, ahead or not", async () => {
    const keeper = new SecretsKeeper({ key: await generateSealingKey() });
    const foreign = await sealWithKey(await generateSealingKey(), "secret");
    keeper.openAhead([foreign]);
    expect(await keeper.open(foreign)).toBeUndefined();
    expect(await keeper.open(foreign)).toBeUndefined();
  });
});
