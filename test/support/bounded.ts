import { withTimeout } from "../../src/errors";

/** `work`, or a rejection naming `what` after `ms` (NDK 3.0.3's NIP-46 calls have no timeout of their own). */
export function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return withTimeout(work, ms, () => new Error(`${what}: no answer within ${ms} ms`));
}

/** Whether `work` settles (resolves or rejects) within `ms`; it is not cancelled either way. */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  const settled = work.then(
    () => true,
    () => true,
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([settled, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The reason `work` rejected with, within `ms` (fails if it resolves or hangs). */
export async function rejectionOf(work: Promise<unknown>, ms: number, what: string): Promise<unknown> {
  return within(
    work.then(
      () => {
        throw new Error(`${what}: resolved, expected a rejection`);
      },
      (reason: unknown) => ({ reason }),
    ),
    ms,
    what,
  ).then((r) => r.reason);
}
