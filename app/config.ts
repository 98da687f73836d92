/**
 * The schema of the whole configuration file: the core's sections and each area's own (an area owns its schema and
 * hands it over in its definition), checked at once with every problem named by file, line and column.
 */
import { z } from 'zod';
import { parseConfigWith, loadConfigWith, type ConfigSource } from '../core/config/load';
import { coreSections } from '../core/config/core';
import { AREAS } from './areas';

export { ConfigError, configPath } from '../core/config/load';

const areaSections = Object.assign({}, ...AREAS.map((a) => a.sections)) as UnionToIntersection<(typeof AREAS)[number]['sections']>;

export const configSchema = z
  .object({ ...coreSections, ...areaSections })
  .strict()
  .superRefine((c, ctx) => {
    // dashboard.faroApp names an app of faro.apps: two areas' sections, so it is checked here, where both are known.
    const name = c.dashboard.faroApp;
    if (name && !c.faro.apps.some((a) => a.name === name)) {
      ctx.addIssue({ code: 'custom', path: ['dashboard', 'faroApp'], message: `no app named "${name}" in faro.apps (add it there, or remove dashboard.faroApp)`, input: name });
    }
  });

export type Config = z.output<typeof configSchema> & ConfigSource;

/** Parses and validates configuration text. `file` is used in error messages and to resolve relative paths. */
export function parseConfig(text: string, file = '<inline>'): Config {
  return parseConfigWith(configSchema, text, file);
}

export function loadConfig(file: string): Config {
  return loadConfigWith(configSchema, file);
}

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
