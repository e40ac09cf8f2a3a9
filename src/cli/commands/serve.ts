/** `strata serve`: an OpenAI-compatible HTTP server over a local GGUF model (src/llm/server.ts). */
import { ArgumentError } from '../../core/index.ts';
import type { RunningServer } from '../../llm/index.ts';
import { commonOptions, parseCommandArgs, parseIntFlag, type CliIO, type Command } from '../command.ts';

const help = `strata serve — serve a local GGUF model over an OpenAI-compatible HTTP API

Usage: strata serve --model <file.gguf> [options]

Endpoints: GET /v1/models, GET /v1/models/{name}, POST /v1/completions (logprobs ≤ 20, echo, max_tokens,
temperature, top_p, stop, seed, logit_bias, n, stream), POST /v1/chat/completions (logprobs, top_logprobs ≤ 20,
stream, stream_options.include_usage, text content parts, ...), POST /tokenize, POST /detokenize, GET /health.
Log-probabilities are those of the model's full distribution at temperature 1. max_tokens is capped to the room
the context leaves after the prompt (finish_reason "length"); a client that disconnects stops its generation.

Options:
  --model <path>        GGUF file to serve (required); it is validated before llama.cpp loads it
  --port <n>            TCP port, 0 for any free port (default: 8080)
  --host <addr>         address to listen on (default: 127.0.0.1, this machine only)
  --model-name <name>   name reported by /v1/models (default: the file name)
  --threads <n>         llama.cpp CPU threads (default: 1)
  --context-size <n>    context window in tokens (default: min(2048, the model's training context))
  --api-key <key>       require "Authorization: Bearer <key>" on every route but /health (default: the
                        STRATA_API_KEY environment variable; none when unset). Needed with a non-loopback --host
  --cors                answer CORS preflights and allow browser pages from any origin
  --cors-origin <url>   like --cors, but allow only this origin
  -q, --quiet           no log lines on stderr
  --debug               show stack traces for errors
  -h, --help            show this help

Stops on Ctrl-C (SIGINT) or SIGTERM. Exit status: 0 after a clean stop, 1 on failure, 2 for bad usage.

Examples:
  strata serve --model ../shared/models/stories260K.gguf --port 8080
  STRATA_API_KEY=secret strata serve --model model.gguf --host 0.0.0.0 --cors
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
        'api-key': { type: 'string' },
        cors: { type: 'boolean' },
        'cors-origin': { type: 'string' },
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
      const apiKey = values['api-key'] ?? (process.env.STRATA_API_KEY || undefined);
      if (apiKey !== undefined && (apiKey.trim() === '' || /\s/.test(apiKey))) {
        throw new ArgumentError('--api-key: expected a non-empty key without spaces');
      }
      const server = await startServer({
        apiKey,
        cors: values['cors-origin'] ?? values.cors === true,
        log: values.quiet ? undefined : (line) => io.stderr.write(`${line}\n`),
        modelPath: values.model,
        port,
        host: values.host,
        modelName: values['model-name'],
        threads: parseIntFlag('--threads', values.threads),
        contextSize: parseIntFlag('--context-size', values['context-size']),
      });
      io.stdout.write(`${server.url}\n`);
      for (const w of server.warnings) io.stderr.write(`strata serve: warning: ${w}\n`);
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
