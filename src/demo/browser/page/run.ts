/** Runs a user's action: its failure becomes the page's one error line (see errors.ts); true when it succeeded. */
export type Run = (label: string, action: () => unknown) => Promise<boolean>;
