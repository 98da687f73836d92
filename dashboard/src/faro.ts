import { initializeFaro, getWebInstrumentations } from '@grafana/faro-web-sdk';
import type { Settings } from './page-ctx';

/**
 * The dashboard reports its own errors, logs and web vitals to our receiver with the real Faro web SDK and its
 * default fetch transport; a failure to start must never break the dashboard.
 */
export function startFaro(settings: Settings) {
  if (!settings.faro) return;
  try {
    // initializeFaro puts the instance on window.faro itself, as a read-only property: assigning it again threw
    // (in strict mode) and made the page report "Faro did not start" although it had.
    initializeFaro({
      url: new URL(settings.faro.url, location.origin).toString(),
      apiKey: settings.faro.apiKey,
      app: { name: settings.faro.app, version: '1.0.0', environment: 'production' },
      instrumentations: getWebInstrumentations({ captureConsole: false }),
      batching: { enabled: true, sendTimeout: 250 },
    });
  } catch (err) {
    console.warn('Faro did not start', err);
  }
}
