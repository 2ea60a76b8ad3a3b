// `arazzo-temporal webhooks`: the Standard Webhooks receiver as its own process (src/webhooks/).
import type { Command } from 'commander';

import { collect, withListen } from './shared';

export function registerEventCommands(program: Command, withConnection: (cmd: Command) => Command): void {
  withListen(withConnection(program.command('webhooks')), '8088')
    .description(
      'receive Standard Webhooks deliveries (verified with the whsec_ secret in --secret-env), and route each event to the run waiting for it by its AsyncAPI channel (the request path) and correlation id',
    )
    .option(
      '--asyncapi <file>',
      'an AsyncAPI description whose channel addresses are the routes (repeatable; default asyncapi/*.yml of the project)',
      collect,
      [],
    )
    .option('--secret-env <name>', 'the environment variable holding the whsec_ signing secret (never printed)', 'ARAZZO_WEBHOOK_SECRET')
    .action(
      async (flags: {
        port: string;
        host: string;
        asyncapi: string[];
        secretEnv: string;
        address?: string;
        namespace?: string;
        taskQueue?: string;
      }) => {
        const { startReceiver, webhookSecret } = require('../webhooks') as typeof import('../webhooks');
        const { stopOnSignals } = require('../temporal/children') as typeof import('../temporal/children');
        const secret = webhookSecret(flags.secretEnv);
        const server = await startReceiver({ ...flags, port: Number(flags.port), secret });
        process.stdout.write(`webhook receiver listening on ${server.url} (secret from $${flags.secretEnv})\n`);
        stopOnSignals({ stop: () => server.close() });
        await new Promise<void>(() => undefined); // until a signal
      },
    );
}
