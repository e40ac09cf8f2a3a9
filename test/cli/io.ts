/** In-memory stdout/stderr for running CLI commands inside a test. */
import type { CliIO, OutputStream } from '../../src/cli/command.ts';

export interface CapturedStream extends OutputStream {
  text: string;
}

export function capture(isTTY = false, columns = 100): CapturedStream {
  const stream: CapturedStream = {
    text: '',
    isTTY,
    columns,
    write(chunk: string) {
      stream.text += chunk;
      return true;
    },
  };
  return stream;
}

export function testIO(cwd: string, stderrTTY = false): CliIO & { stdout: CapturedStream; stderr: CapturedStream } {
  return { stdout: capture(false), stderr: capture(stderrTTY), cwd };
}
