/**
 * When a staged WebAssembly copy of an operator's storage may be trusted.
 *
 * Dense and Sparse keep the caller's typed arrays by reference, and a typed array cannot be frozen, so any copy of
 * them (the wasm staged matrix, the packed symmetric triangle, the CSR copy) can go stale when the caller edits the
 * array in place. Sampling a few entries misses single-entry edits; comparing every entry before every product costs
 * more than the product saves. Instead each copy is brought up to date in full once per *operation*:
 *
 *   - an operation is the outermost linalg call in progress (a product `A.matmat`, a dispatched `inv`/`eig`/…, a
 *     solve, a Krylov algorithm); operations nest, and the outermost one opens a new epoch;
 *   - JavaScript runs the operation to completion before the caller's code runs again, so storage cannot change in
 *     between two products of one epoch (short of an operator callback that edits another operator's storage while
 *     it is being used — documented as unsupported);
 *   - the first staged product of an epoch refreshes the copy from the live storage — a memcpy for the GEMV and CSR
 *     copies, a memcpy plus an in-wasm compare of both triangles for the packed symmetric one (restaged on any
 *     difference) — at the cost of one to a few products; later products of that epoch use the copy as is;
 *   - a product that is itself the outermost operation (a lone `D.matmat(x)`) refreshes too: a memcpy plus the wasm
 *     product still beat the JS product on the live array at the sizes that are staged.
 *
 * A Krylov solve of a few hundred products thus pays one refresh, and no product ever reads a stale copy.
 */

let depth = 0;
let epoch = 0;

/**
 * Runs f as (part of) one operation; see the file comment. Exported for callers with their own product loops
 * (`operation(() => { for (…) y = D.matmat(y) })`): staged copies are refreshed once instead of per product, and
 * the storage must not be edited inside f.
 */
export function operation<T>(f: () => T): T {
  if (depth++ === 0) epoch++;
  try { return f(); } finally { depth--; }
}

/** Enter/leave without a closure, for the product hot path (`LinearOperator.matmat`). Always pair in try/finally. */
export function enterOperation(): void { if (depth++ === 0) epoch++; }
export function leaveOperation(): void { depth--; }

/** The epoch of the operation in progress at any depth, or −1 outside every operation. */
export function currentEpoch(): number { return depth >= 1 ? epoch : -1; }

/**
 * A 64-bit fingerprint of typed arrays' bits: two FNV-1a-style lanes over the low and high 32-bit words of each
 * 8-byte group. Each step h ← (h ⊕ w)·p (p odd) is a bijection in w and in h, so changing one word always changes
 * its lane's result: any single-entry edit of a float64 array is detected, not just likely detected.
 */
export function fingerprint(arrays: readonly ArrayBufferView[]): string {
  let h0 = 0x811c9dc5 | 0, h1 = 0x01000193 ^ 0x5bd1e995;
  for (const a of arrays) {
    const words = new Uint32Array(a.buffer, a.byteOffset, a.byteLength >>> 2), n = words.length;
    let i = 0;
    for (; i + 1 < n; i += 2) { h0 = Math.imul(h0 ^ words[i]!, 0x01000193); h1 = Math.imul(h1 ^ words[i + 1]!, 0x01000193); }
    if (i < n) h0 = Math.imul(h0 ^ words[i]!, 0x01000193);
    h1 = Math.imul(h1 ^ n, 0x01000193);
  }
  return `${(h0 >>> 0).toString(16)}:${(h1 >>> 0).toString(16)}`;
}

/** A staged copy that can bring itself up to date with the live storage (false: it cannot, restage). */
export interface StagedCopy { refresh(): boolean }

/**
 * The staging state of one storage array: `uses` counts products inside operations (a copy is made at the second,
 * so a one-off product never pays for it), `checked` the epoch in which the copy was last verified.
 */
export class StagingSlot<T extends StagedCopy> {
  private uses = 0; private copy: T | null = null; private checked = -1; private failed = false;
  constructor(private readonly make: () => T | null) {}
  /** The copy to use for a product now, or null to run the JS kernel on the live storage. */
  get(): T | null {
    const e = currentEpoch();
    if (e < 0 || this.failed) return null;
    if (this.copy) {
      if (this.checked !== e) {
        this.checked = e;
        if (!this.copy.refresh()) this.copy = this.make();
      }
      return this.copy;
    }
    if (++this.uses < 2) return null;
    this.copy = this.make();
    this.checked = e;
    if (!this.copy) this.failed = true;
    return this.copy;
  }
}
