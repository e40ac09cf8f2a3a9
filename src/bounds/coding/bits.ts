/** A growable bit buffer (most significant bit of each byte first) and its reader. */
export class BitWriter {
  private bytes = new Uint8Array(64);
  /** Bits written so far. */
  length = 0;

  write(bit: 0 | 1): void {
    const byte = this.length >>> 3;
    if (byte >= this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    if (bit) this.bytes[byte]! |= 0x80 >>> (this.length & 7);
    this.length++;
  }

  /** The written bits, zero-padded to whole bytes. */
  finish(): Uint8Array {
    return this.bytes.slice(0, (this.length + 7) >>> 3);
  }
}

export class BitReader {
  private pos = 0;
  constructor(private readonly bytes: Uint8Array, private readonly bitLength: number) {}

  /** The next bit; past the end of the message the stream reads as zeros (the encoder's termination assumes this). */
  read(): 0 | 1 {
    const p = this.pos++;
    if (p >= this.bitLength) return 0;
    return ((this.bytes[p >>> 3]! >>> (7 - (p & 7))) & 1) as 0 | 1;
  }
}
