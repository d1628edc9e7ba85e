/**
 * Signer payloads sealed with a WebCrypto AES-GCM key. The key is the app's (Node) or one this
 * library creates non-extractable and keeps in IndexedDB (browsers): it can be used, never read.
 */
import { base64 } from "@scure/base";

export interface AesSealed {
  scheme: "aes-gcm";
  iv: string;
  data: string;
}

const subtle = () => {
  const crypto = globalThis.crypto?.subtle;
  if (!crypto) throw new Error("WebCrypto is not available");
  return crypto;
};

export async function sealWithKey(key: CryptoKey, plaintext: string): Promise<AesSealed> {
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
  const data = await subtle().encrypt({ name: "AES-GCM", iv }, key, new TextEncoder().encode(plaintext));
  return { scheme: "aes-gcm", iv: base64.encode(iv), data: base64.encode(new Uint8Array(data)) };
}

export async function openWithKey(key: CryptoKey, sealed: AesSealed): Promise<string> {
  const plain = await subtle().decrypt({ name: "AES-GCM", iv: base64.decode(sealed.iv) as Uint8Array<ArrayBuffer> }, key, base64.decode(sealed.data) as Uint8Array<ArrayBuffer>);
  return new TextDecoder().decode(plain);
}

/** A fresh non-extractable AES-GCM key. */
export function generateSealingKey(): Promise<CryptoKey> {
  return subtle().generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]) as Promise<CryptoKey>;
}

/**
 * The browser's own sealing key, created once and kept in IndexedDB (localforage stores the
 * CryptoKey object itself; being non-extractable, its bytes never reach JavaScript).
 */
export async function browserSealingKey(storeName = "ndk-session-engine-keys"): Promise<CryptoKey> {
  const { default: localforage } = (await import("localforage")) as unknown as { default: typeof import("localforage") };
  const store = localforage.createInstance({ name: storeName, driver: localforage.INDEXEDDB });
  await store.ready();
  const existing = await store.getItem<CryptoKey>("sealing-key");
  if (existing) return existing;
  const key = await generateSealingKey();
  await store.setItem("sealing-key", key);
  return key;
}
