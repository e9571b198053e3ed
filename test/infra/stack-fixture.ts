// Builds the stack as `cdk synth` does: cdk.json's context (feature flags and settings), optionally without
// bundling the Lambdas (tests that only look at one setting skip esbuild).
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import type { SpotifyEtlSettings } from '#infra/settings.js';
import { SpotifyEtlStack } from '#infra/spotify-etl-stack.js';

export const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  app: string;
  context: Record<string, unknown>;
};

export interface Synthesized {
  readonly app: App;
  readonly stack: SpotifyEtlStack;
  readonly template: Template;
}

export function synthesize(
  settings: Partial<SpotifyEtlSettings> = {},
  options: { bundle?: boolean } = {},
): Synthesized {
  const app = new App({
    context: {
      ...cdkJson.context,
      // NodejsFunction bundles only the stacks listed here; an empty list skips esbuild.
      ...(options.bundle === false ? { 'aws:cdk:bundling-stacks': [] } : {}),
    },
  });
  const stack = new SpotifyEtlStack(app, 'SpotifyEtl', { settings });
  return { app, stack, template: Template.fromStack(stack) };
}
