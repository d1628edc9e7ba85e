/**
 * The storage format: the manager actor's persisted snapshot (sessions included) inside a small
 * envelope, beside a minimal account registry that survives a snapshot that cannot be restored.
 * Validated by schema before anything is rehydrated.
 */
import { z } from "zod";

export const FORMAT = "ndk-session-engine";
export const CURRENT_VERSION = 4;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const signer = z.object({ type: z.string().min(1).max(64) });
const preferences = z.object({ walletEnabled: z.boolean().optional() });

/** One account as the registry keeps it: enough to log it in again and refetch its lists. */
export const accountSchema = z.object({
  pubkey: hex64,
  signer,
  lastActive: z.number().int().nonnegative(),
  preferences: preferences.optional(),
});
export type AccountRecord = z.infer<typeof accountSchema>;

export const registrySchema = z.object({
  accounts: z.array(accountSchema).max(10_000),
  activePubkey: hex64.nullable(),
});
export type Registry = z.infer<typeof registrySchema>;

/** A secret sealed by the app's policy: NIP-49 ncryptsec, or AES-GCM under a WebCrypto key. */
export const sealedSecretSchema = z.union([
  z.object({ scheme: z.literal("nip49"), ncryptsec: z.string().startsWith("ncryptsec1").max(1000) }),
  z.object({ scheme: z.literal("aes-gcm"), iv: z.string().max(64), data: z.string().max(100_000) }),
]);
export const payloadSchema = z.string().max(10_000);

/**
 * What an envelope must hold to be read at all. Everything else in it (the snapshot, each secret,
 * each payload) is checked on its own, so damage there costs only what is damaged: a bad snapshot
 * leaves the registry, a bad secret leaves its session asking for a login.
 */
export const envelopeCoreSchema = z.object({
  format: z.literal(FORMAT),
  version: z.number().int().positive(),
  registry: registrySchema,
});

export interface Envelope extends z.infer<typeof envelopeCoreSchema> {
  savedAt: number;
  snapshot: unknown;
  secrets?: Record<string, z.infer<typeof sealedSecretSchema>>;
  /** Payloads of signers that hold no secret (NIP-07). */
  payloads?: Record<string, string>;
  /** Signer payloads with secrets, only with `unsafePersistPrivateKeys` (plain text: the option's name says so). */
  unsafeSecrets?: Record<string, string>;
}

const strings = z.array(z.string().max(4096)).max(100_000);
/** An event as received (signed), or as the app handed it to updateSession (perhaps not signed yet). */
const rawEvent = z.object({
  id: z.union([hex64, z.literal("")]),
  pubkey: z.union([hex64, z.literal("")]),
  created_at: z.number().int(),
  kind: z.number().int().nonnegative(),
  tags: z.array(z.array(z.string())),
  content: z.string(),
  sig: z.union([z.string().regex(/^[0-9a-f]{128}$/), z.literal("")]),
});
/** What each list kind keeps as `data` (src/lists/kinds.ts); any other kind keeps its event. */
const listData: Record<number, z.ZodType> = {
  0: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  // Its bytes are checked when it is unpacked (PackedPubkeys.fromStored): a regex over 43 KB per list would cost a restore more.
  3: z.object({ packed: z.string(), count: z.number().int().nonnegative() }),
  10000: z.object({ pubkeys: strings, eventIds: strings, words: strings, hashtags: strings }),
  10006: z.object({ urls: strings }),
  10002: z.object({ relays: z.array(z.object({ url: z.string(), read: z.boolean(), write: z.boolean() })).max(10_000) }),
};
const listEntry = z
  .object({
    key: z.string().max(512),
    kind: z.number().int().nonnegative(),
    id: hex64,
    createdAt: z.number().int(),
    data: z.unknown(),
    partial: z.literal(true).optional(),
    pending: z.literal(true).optional(),
    // Checked before the lists' refresh (src/effects/integrity.ts), not here: restore must stay fast.
    sum: z.string().max(16).optional(),
  })
  .refine((entry) => (listData[entry.kind] ?? rawEvent).safeParse(entry.data).success, "list data does not match its kind");

const failure = z.object({ code: z.string(), message: z.string(), at: z.number() });
const stateValue: z.ZodType<unknown> = z.union([z.string(), z.record(z.string(), z.lazy(() => stateValue))]);

/** A session as stored (version 4: follow lists as bytes since 3, list checksums since 4): what the user did and what relays sent; no configuration. */
const sessionSnapshot = z.object({
  status: z.literal("active"),
  value: stateValue,
  context: z.object({
    pubkey: hex64,
    signer,
    preferences,
    lists: z.record(z.string(), listEntry),
    signerFailure: failure.nullable(),
    signerAttempt: z.number().int().nonnegative(),
    listsFailure: failure.nullable(),
    listsAttempt: z.number().int().nonnegative(),
    approvalUrl: z.string().max(4096).nullable(),
  }),
  children: z.record(z.string(), z.unknown()),
});
export type StoredSession = z.infer<typeof sessionSnapshot>;

export const sessionChildSchema = z.object({ src: z.literal("session"), systemId: z.string(), snapshot: sessionSnapshot });

/** The manager's snapshot; its children are checked one by one (a save during a load also holds the loader). */
export const managerSnapshotSchema = z.object({
  status: z.literal("active"),
  value: z.enum(["active", "loading", "restoring"]),
  context: z.object({
    pubkeys: z.array(hex64),
    activePubkey: hex64.nullable(),
    lastActive: z.record(hex64, z.number()),
  }),
  children: z.record(z.string(), z.unknown()),
});

/** A checked manager snapshot: its context, and its sessions by pubkey. */
export interface ManagerSnapshot {
  context: z.infer<typeof managerSnapshotSchema>["context"];
  sessions: Record<string, StoredSession>;
}
