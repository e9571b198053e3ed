// CDK app: the spotify-etl stack, settings from the CDK context, AwsSolutions checks (cdk-nag) on every synth.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { settingsFromContext } from './settings.js';
import { SpotifyEtlStack } from './spotify-etl-stack.js';

const app = new App();
new SpotifyEtlStack(app, 'SpotifyEtl', {
  description: 'spotify-etl: daily Spotify chart → Firehose → S3 data lake → Glue/Athena',
  settings: settingsFromContext((key) => app.node.tryGetContext(key)),
});
// cdk-nag 3 is a policy-validation plugin (not an Aspect): a finding that is not acknowledged fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
