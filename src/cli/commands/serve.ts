/** `strata serve`: an OpenAI-compatible HTTP server over a local GGUF model (src/llm/server.ts). */
import { ArgumentError } from '../../core/index.ts';
import type { RunningServer } from '../../llm/index.ts';
import { commonOptions, parseCommandArgs, parseIntFlag, type CliIO, type Command } from '../command.ts';

const help = `strata serve — serve a local GGUF model over an OpenAI-compatible HTTP API

Usage: strata serve --model <file.gguf> [options]

Endpoints: GET /v1/models, POST /v1/completions (logprobs ≤ 20, echo, max_tokens, temperature, stop, seed,
logit_bias, n), POST /v1/chat/completions (logprobs, top_logprobs ≤ 20, ...), POST /tokenize, POST /detokenize.
Log-probabilities are those of the model's full distribution at temperature 1.

Options:
  --model <path>        GGUF file to serve (required); it is validated before llama.cpp loads it
  --port <n>            TCP port, 0 for any free port (default: 8080)
  --host <addr>         address to listen on (default: 127.0.0.1, this machine only)
  --model-name <name>   name reported by /v1/models (default: the file name)
  --threads <n>         llama.cpp CPU threads (default: 1)
  --context-size <n>    context window in tokens (default: min(2048, the model's training context))
  -q, --quiet           no log lines on stderr
  --debug               show stack traces for errors
  -h, --help            show this help

Stops on Ctrl-C (SIGINT) or SIGTERM. Exit status: 0 after a clean stop, 1 on failure, 2 for bad usage.

Examples:
  strata serve --model ../shared/models/stories260K.gguf --port 8080
  curl -s localhost:8080/v1/completions -H 'content-type: application/json' \\
    -d '{"prompt": "Once upon a time", "max_tokens": 8, "logprobs": 5}'
`;

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** `waitForStop` receives the running server and resolves when it should shut down (a signal, by default). */
export function createServeCommand(waitForStop: (server: RunningServer) => Promise<void> = untilSignal): Command {
  return {
    name: 'serve',
    summary: 'serve a local GGUF model over an OpenAI-compatible HTTP API (completions, chat, log-probabilities)',
    help,
    async run(argv: string[], io: CliIO): Promise<number> {
      const { values } = parseCommandArgs('serve', argv, {
        ...commonOptions,
        model: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'model-name': { type: 'string' },
        threads: { type: 'string' },
        'context-size': { type: 'string' },
      });
      if (values.help) {
        io.stdout.write(help);
        return 0;
      }
      if (!values.model) throw new ArgumentError('--model: expected the path of a .gguf file (e.g. --model ../shared/models/stories260K.gguf)');
      const port = parseIntFlag('--port', values.port, 0) ?? 8080;
      if (port > 65535) throw new ArgumentError(`--port: expected 0..65535, got ${port}`);
      // Imported here so that other subcommands never pay for loading llama.cpp's bindings.
      const { startServer } = await import('../../llm/index.ts');
      const server = await startServer({
        modelPath: values.model,
        port,
        host: values.host,
        modelName: values['model-name'],
        threads: parseIntFlag('--threads', values.threads),
        contextSize: parseIntFlag('--context-size', values['context-size']),
      });
      io.stdout.write(`${server.url}\n`);
      if (!values.quiet) io.stderr.write(`strata serve: serving ${values.model} at ${server.url} (Ctrl-C to stop)\n`);
      try {
        await waitForStop(server);
      } finally {
        await server.close();
      }
      if (!values.quiet) io.stderr.write('strata serve: stopped\n');
      return 0;
    },
  };
}

export const serveCommand: Command = createServeCommand();
