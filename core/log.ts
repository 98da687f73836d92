import pino from 'pino';
import { maskIdNumbers, scrub } from './mask';

export type Logger = pino.Logger;

/**
 * Structured JSON logs. Every field is scrubbed (secret-looking keys redacted, ID numbers masked) and so is the
 * message, so a careless `log.info({ record }, ...)` cannot leak a personal ID number or an app secret.
 */
export function createLogger(opts: { level?: string; name?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      name: opts.name ?? 'city-ops',
      level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (obj) => scrub(obj) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === 'string' ? maskIdNumbers(a) : a));
          return method.apply(this, masked as Parameters<typeof method>);
        },
      },
    },
    opts.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** A logger that writes nothing (tests that do not look at logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
